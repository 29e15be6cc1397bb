import type { App, AppDeps } from '../../app';

/** Placeholder until this feature lands. */
export function registerAssignmentRoutes(_app: App, _deps: AppDeps): void {}
