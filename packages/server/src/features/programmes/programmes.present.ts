import type { ProgrammeRow } from './programmes.queries';

/** The only shape of a programme sent out. */
export function presentProgramme(p: ProgrammeRow) {
  return {
    id: p.id,
    name: p.name,
    description: p.description,
    archivedAt: p.archivedAt ? p.archivedAt.toISOString() : null,
    createdAt: p.createdAt.toISOString(),
  };
}
