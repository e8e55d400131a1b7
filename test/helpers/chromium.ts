import { existsSync } from 'node:fs';

/** Said when the browser tests have no browser: what to do about it, on one line. */
export const NO_CHROMIUM =
  'no Chromium for the browser tests: install it (Debian/Ubuntu: apt-get install chromium; npm test does this itself when run as root there) or set CHROMIUM_PATH to a Chromium or Chrome binary';

/**
 * The Chromium the browser tests drive (a system one, never a browser download): `CHROMIUM_PATH`,
 * else `/usr/bin/chromium`, else `/usr/bin/chromium-browser`. Throws one clear line when there is none.
 */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH=${configured} does not exist; ${NO_CHROMIUM}`);
    return configured;
  }
  const found = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
  if (!found) throw new Error(NO_CHROMIUM);
  return found;
}

/** Headless, with nothing phoning home: the `args` of `chromium.launch` in the browser tests. */
export const HEADLESS_CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
