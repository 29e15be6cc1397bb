/** `/` when the web app has not been built: what is running, where the API is, and how to build the app. */
export function renderHomePage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rapport</title>
</head>
<body>
<main>
<h1>Rapport is running</h1>
<p>Rapport is open-source measurement-based care for psychotherapy: validated questionnaires, the client's and the therapist's view of the alliance side by side, alerts and outcomes.</p>
<p>The clinician web app is not built yet: run <code>npm run build -w @rapport/web</code> (or start with <code>npm start</code>, which builds it first) and reload. The REST API is described in <a href="/api/v1/openapi.json">the OpenAPI document</a>; the health check is at <a href="/healthz">/healthz</a>.</p>
</main>
</body>
</html>`;
}
