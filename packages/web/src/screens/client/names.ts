/** "Preferred (Given) Family", or "Given Family". */
export function clientName(c: { givenName: string; familyName: string; preferredName: string | null }): string {
  return c.preferredName && c.preferredName !== c.givenName ? `${c.preferredName} (${c.givenName}) ${c.familyName}` : `${c.givenName} ${c.familyName}`;
}
