export { RULES_VERSION } from './rules-version';
export { AnalysisError } from './errors';
export * from './discrepancy';
export * from './statistics';
export * from './rupture';
export * from './gap-trend';
export * from './low-alliance';
export * from './deterioration';
export * from './trajectory';
