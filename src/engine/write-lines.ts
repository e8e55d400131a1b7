import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** Writes the chunks to `path` as they are produced, honouring back-pressure: no giant string. */
export async function writeChunks(path: string, chunks: () => Iterable<string>): Promise<void> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  try {
    for (const chunk of chunks()) {
      if (!out.write(chunk)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
}

/** `{ ...head, "<key>": [ items... ] }` as JSON, one item per line. */
export function* jsonWithItems(head: object, key: string, items: Iterable<unknown>): Generator<string> {
  const headJson = JSON.stringify(head, null, 2);
  yield headJson.length > 2
    ? `${headJson.slice(0, -2)},\n  ${JSON.stringify(key)}: [`
    : `{\n  ${JSON.stringify(key)}: [`;
  let first = true;
  for (const item of items) {
    yield `${first ? '' : ','}\n    ${JSON.stringify(item)}`;
    first = false;
  }
  yield `${first ? '' : '\n  '}]\n}\n`;
}
