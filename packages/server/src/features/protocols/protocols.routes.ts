import type { App, AppDeps } from '../../app';

/** Placeholder until this feature lands. */
export function registerProtocolRoutes(_app: App, _deps: AppDeps): void {}
