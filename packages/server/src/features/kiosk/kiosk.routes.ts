import type { App, AppDeps } from '../../app';

/** Placeholder until this feature lands. */
export function registerKioskRoutes(_app: App, _deps: AppDeps): void {}
