/**
 * The version of the analysis rules. The server stores it with every alert and every stored result,
 * so an alert can be traced to the rules (and defaults) that raised it. Bump it whenever a change could
 * alter any label, threshold or default in this package.
 */
export const RULES_VERSION = '1.0.0';
