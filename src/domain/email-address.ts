/**
 * A deliberately simple e-mail address check, strict enough to catch typos and spreadsheet debris
 * (spaces, two `@`, missing domain, trailing dot), loose enough to accept every address a mail
 * server would (`+` tags, Unicode letters):
 *
 * - at most 254 characters (RFC 5321), exactly one `@`;
 * - local part: 1–64 characters, no whitespace, no control characters, none of `"(),:;<>[\]`,
 *   not starting or ending with `.`, no `..` (quoted local parts are not accepted);
 * - domain: at most 253 characters, two or more dot-separated labels of letters (any script),
 *   digits and `-`, each 1–63 characters, not starting or ending with `-`; the last label has at
 *   least two characters and is not all digits (so IP addresses are refused).
 */
export function isValidEmailAddress(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.indexOf('@');
  if (at <= 0 || at !== value.lastIndexOf('@')) return false;
  return isValidLocalPart(value.slice(0, at)) && isValidDomain(value.slice(at + 1));
}

const LOCAL_FORBIDDEN = /[\s\p{Cc}"(),:;<>[\\\]]/u;
const DOMAIN_LABEL = /^[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?$/u;

function isValidLocalPart(local: string): boolean {
  if (local.length > 64 || LOCAL_FORBIDDEN.test(local)) return false;
  return !local.startsWith('.') && !local.endsWith('.') && !local.includes('..');
}

function isValidDomain(domain: string): boolean {
  if (domain.length > 253) return false;
  const labels = domain.split('.');
  const tld = labels[labels.length - 1] ?? '';
  if (labels.length < 2 || tld.length < 2 || /^\d+$/.test(tld)) return false;
  return labels.every((label) => DOMAIN_LABEL.test(label));
}
