import type { OrganisationRow } from './organisations.queries';
import { defaultOrganisationSettings } from './organisations.schema';

/**
 * The only shape of an organisation sent out. Settings stored before a field existed get that
 * field's default, so every reader sees the full, current settings shape.
 */
export function presentOrganisation(o: OrganisationRow) {
  return {
    id: o.id,
    name: o.name,
    settings: { ...defaultOrganisationSettings, ...o.settings },
    updatedAt: o.updatedAt.toISOString(),
  };
}
