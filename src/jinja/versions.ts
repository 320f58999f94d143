// Version orderings for `is version(...)` and community.general.version_sort: each turns a version into a key
// that Python-style comparison orders.
import { JinjaError } from './values.js';

export type VersionKey = unknown[];

/** distutils LooseVersion: runs of digits (as ints) and letters; mixed int/str positions fail as in Python 3. */
export function looseKey(v: string): VersionKey {
  return (v.match(/\d+|[a-z]+|\./gi) ?? []).filter((p) => p !== '.').map((p) => (/^\d/.test(p) ? Number(p) : p));
}

/** distutils StrictVersion: N.N[.N][(a|b)N]; a release sorts after its pre-releases. */
function strictKey(v: string): VersionKey {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:([ab])(\d+))?$/.exec(v);
  if (!m) throw new JinjaError(`Version comparison failed: invalid version number '${v}'`);
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0), m[4] ? [0, m[4], Number(m[5])] : [1]];
}

/** Semantic Versioning 2.0: build metadata ignored, numeric identifiers before alphanumeric ones. */
function semverKey(v: string): VersionKey {
  const m = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-.]+)?$/.exec(v);
  if (!m) throw new JinjaError(`Version comparison failed: invalid semantic version '${v}'`);
  const pre = m[4] ? m[4].split('.').map((p) => (/^\d+$/.test(p) ? [0, Number(p)] : [1, p])) : null;
  return [Number(m[1]), Number(m[2]), Number(m[3]), pre ? [0, pre] : [1]];
}

/** PEP 440 ordering: epoch, release (trailing zeros ignored), then dev < pre-release < release < post-release. */
function pep440Key(v: string): VersionKey {
  const m =
    /^v?(?:(\d+)!)?(\d+(?:\.\d+)*)(?:[-_.]?(a|b|c|rc|alpha|beta|pre|preview)[-_.]?(\d*))?(?:-(\d+)|[-_.]?(?:post|rev|r)[-_.]?(\d*))?(?:[-_.]?dev[-_.]?(\d*))?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?$/i.exec(
      v.trim(),
    );
  if (!m) throw new JinjaError(`Version comparison failed: Invalid version: '${v}'`);
  const release = m[2].split('.').map(Number);
  while (release.length > 1 && release[release.length - 1] === 0) release.pop();
  const rank: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };
  const post = m[5] ?? m[6];
  const dev = m[7];
  const hasPost = post !== undefined;
  let pre: unknown[];
  if (m[3]) pre = [rank[m[3].toLowerCase()], Number(m[4] || 0)];
  else if (!hasPost && dev !== undefined) pre = [-1];
  else pre = [3];
  return [Number(m[1] ?? 0), release, pre, hasPost ? [1, Number(post || 0)] : [0], dev !== undefined ? [0, Number(dev || 0)] : [1]];
}

export const VERSION_TYPES: Record<string, (v: string) => VersionKey> = {
  loose: looseKey,
  strict: strictKey,
  semver: semverKey,
  semantic: semverKey,
  pep440: pep440Key,
};
