import { describe, expect, it } from 'vitest';
import sections from '../../public/app-sections.json';
import { appRoutes } from './routes';
import { publicRoutes } from './App';

/** The server answers a reload with index.html only under the sections the build lists. */
describe('app-sections.json', () => {
  const firstSegment = (path: string) => path.split('/')[1] ?? '';
  const paths = [...appRoutes.map((r) => r.path), ...Object.keys(publicRoutes), '/sign-in'].filter((p) => p !== '/');

  it.each(paths)('lists the section of %s, so a reload there reaches the app', (path) => {
    expect(sections).toContain(firstSegment(path));
  });

  it('lists nothing the app does not route', () => {
    expect(sections.filter((s) => !paths.some((p) => firstSegment(p) === s))).toEqual([]);
  });
});
