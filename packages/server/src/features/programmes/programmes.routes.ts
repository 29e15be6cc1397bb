import { z } from 'zod';
import type { App, AppDeps } from '../../app';
import { staffOf, withAudit } from '../../access/access';
import { conflict, notFound } from '../../errors';
import { archiveProgramme, getProgramme, insertProgramme, isProgrammeNameTaken, listProgrammes, updateProgramme } from './programmes.queries';
import { presentProgramme } from './programmes.present';
import { programmeCreateBody, programmeIdParams, programmeListQuery, programmeUpdateBody, programmeView } from './programmes.schema';

const tags = ['programmes'];
const adminOnly = { access: { kind: 'staff', roles: ['admin'] } } as const;

/** Programmes (service lines): every staff member lists them, admins create, rename and archive. */
export function registerProgrammeRoutes(app: App, deps: AppDeps): void {
  const { db, clock } = deps;

  const nameTaken = () => conflict('Another programme already has this name.', 'programme_name_taken', 'name');

  app.get(
    '/api/v1/programmes',
    { config: { access: { kind: 'staff' } }, schema: { tags, querystring: programmeListQuery, response: { 200: z.object({ items: z.array(programmeView) }) } } },
    async (request) => {
      const rows = await listProgrammes(db, staffOf(request).orgId, request.query.includeArchived);
      return { items: rows.map(presentProgramme) };
    },
  );

  app.post(
    '/api/v1/programmes',
    { config: adminOnly, schema: { tags, body: programmeCreateBody, response: { 201: programmeView } } },
    async (request, reply) => {
      const p = staffOf(request);
      const row = await withAudit(
        request,
        db,
        clock,
        (created: { id: string }) => ({ action: 'programme.create', entityType: 'programme', entityId: created.id }),
        async (tx) => {
          if (await isProgrammeNameTaken(tx, p.orgId, request.body.name)) throw nameTaken();
          return insertProgramme(tx, p.orgId, request.body, clock.now());
        },
      );
      return reply.status(201).send(presentProgramme(row));
    },
  );

  app.patch(
    '/api/v1/programmes/:programmeId',
    { config: adminOnly, schema: { tags, params: programmeIdParams, body: programmeUpdateBody, response: { 200: programmeView } } },
    async (request) => {
      const p = staffOf(request);
      const { programmeId } = request.params;
      const row = await withAudit(request, db, clock, { action: 'programme.update', entityType: 'programme', entityId: programmeId }, async (tx) => {
        if (!(await getProgramme(tx, p.orgId, programmeId))) throw notFound('programme');
        if (request.body.name && (await isProgrammeNameTaken(tx, p.orgId, request.body.name, programmeId))) throw nameTaken();
        return updateProgramme(tx, p.orgId, programmeId, request.body);
      });
      if (!row) throw notFound('programme');
      return presentProgramme(row);
    },
  );

  app.post(
    '/api/v1/programmes/:programmeId/archive',
    { config: adminOnly, schema: { tags, params: programmeIdParams, response: { 200: programmeView } } },
    async (request) => {
      const p = staffOf(request);
      const { programmeId } = request.params;
      const row = await withAudit(request, db, clock, { action: 'programme.archive', entityType: 'programme', entityId: programmeId }, async (tx) => {
        const archived = await archiveProgramme(tx, p.orgId, programmeId, clock.now());
        if (!archived) throw notFound('programme');
        return archived;
      });
      return presentProgramme(row);
    },
  );
}
