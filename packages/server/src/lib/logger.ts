import pino, { type Logger, type DestinationStream } from 'pino';

/**
 * The structured logger. Requests are logged by route pattern, never by raw URL (client links
 * carry tokens), and never with bodies, cookies or authorization headers: no PHI, no secrets.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-rapport-control"]', 'res.headers["set-cookie"]', '*.password', '*.token', '*.email'],
        censor: '[redacted]',
      },
      serializers: {
        req: (req: { id?: string; method?: string; routeOptions?: { url?: string } }) => ({ id: req.id, method: req.method, route: req.routeOptions?.url }),
        res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
      },
    },
    destination,
  );
}
