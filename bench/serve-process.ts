/** `orgsync serve` from the build, in a child process, for the webhook benchmarks. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));

/** Starts `orgsync serve` from the build; resolves with its URL (the first line on stdout). */
export function startServe(
  env: Record<string, string>,
  queueName: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--queue', queueName], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n');
      if (line.length > 1 && line[0]) resolve({ url: line[0].trim(), stop });
    });
    child.once('exit', (code) =>
      reject(
        new Error(`orgsync serve exited with code ${code} before listening (is the build current? npm run build)`),
      ),
    );
  });
}
