/**
 * `text` as one flat string. V8 keeps a concatenation as a "cons string" (a pair of pointers to its
 * parts) and, once it is hashed as a Map key, also keeps a flattened copy beside it. A string the
 * engine holds for the whole run (an external ID: a million of them in a big plan) is made flat once
 * here instead.
 */
export function flatString(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}
