import { escapeLines } from '../domain/safe-text.js';

/**
 * `stream` whose `write` passes text through `escapeLines`: for commands whose every line may hold
 * values from outside (job ids, failure reasons, run history) and no terminal control of their own.
 * The other properties (`isTTY`, `columns`) are the stream's.
 */
export function escapingStream(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  return new Proxy(stream, {
    get(target, property, receiver) {
      if (property === 'write') {
        return (chunk: unknown, ...rest: unknown[]) =>
          (target.write as (...args: unknown[]) => boolean)(
            typeof chunk === 'string' ? escapeLines(chunk) : chunk,
            ...rest,
          );
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
