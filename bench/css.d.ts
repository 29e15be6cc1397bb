/** Stylesheets imported for esbuild to bundle (the SurveyJS baseline); they have no exports. */
declare module '*.css';
