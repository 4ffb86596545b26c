/**
 * The deterministic project set of the test upstream: names that make PEP 503
 * normalization matter, 1–4 releases with pre-releases, sdists and wheels for many
 * platforms, yanks, `requires-python` and provenance, all derived from one seed.
 */
import { normalizeName } from "./names.ts";
import { Rng } from "./rng.ts";

/** One release of a generated project. */
export interface PlannedRelease {
  version: string;
  requiresPython: string | null;
  /** Wheel tag sets, one wheel each. */
  wheelTags: string[];
  sdist: boolean;
  /** Yanked after upload: the reason (may be empty), or null when not yanked. */
  yankReason: string | null;
}

/** One generated project. */
export interface PlannedProject {
  name: string;
  releases: PlannedRelease[];
  /** Whether its wheels carry PEP 740 provenance (uploaded by a trusted publisher). */
  provenance: boolean;
}

/** Yank reason with markup, to check that every page escapes it. */
export const MARKUP_YANK_REASON = 'broken <release> & "bad"';

const WORDS = [
  "alpha",
  "beta",
  "gamma",
  "delta",
  "epsilon",
  "zeta",
  "theta",
  "kappa",
  "lambda",
  "sigma",
  "thing",
  "widget",
  "gizmo",
  "sprocket",
  "flux",
  "quark",
  "nimbus",
  "cobalt",
  "ember",
  "falcon",
  "harbor",
  "iris",
  "juniper",
  "kestrel",
  "lumen",
  "magnet",
  "nectar",
  "orbit",
  "pixel",
  "quill",
  "raven",
  "saffron",
  "tundra",
  "umbra",
  "vortex",
  "willow",
  "xylo",
  "yarrow",
  "zephyr",
  "acorn",
  "basalt",
  "cinder",
  "dune",
  "fjord",
  "glacier",
  "hollow",
  "inlet",
  "jetty",
  "knoll",
  "lagoon",
];
const NAMESPACES = ["zope", "plone", "jaraco", "backports", "azure", "google", "sphinxcontrib", "types"];

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Name patterns, cycled by project index so even a small set shows every kind. */
const NAME_PATTERNS: ((rng: Rng) => string)[] = [
  (rng) => `${capitalize(rng.pick(WORDS))}.${capitalize(rng.pick(WORDS))}_${rng.int(1, 9)}`, // Alpha.Beta_7
  (rng) => `${rng.pick(WORDS)}-${capitalize(rng.pick(WORDS))}`, // gamma-Delta
  (rng) => `${rng.pick(NAMESPACES)}.${capitalize(rng.pick(WORDS))}`, // zope.Thing
  (rng) => `${capitalize(rng.pick(WORDS))}${capitalize(rng.pick(WORDS))}`, // FluxQuark
  (rng) => `${rng.pick(WORDS)}_${rng.pick(WORDS)}.${rng.pick(WORDS)}`, // iris_orbit.dune
  (rng) => `${rng.pick(WORDS)}${rng.int(2, 99)}`, // cobalt42
  (rng) => `py-${capitalize(rng.pick(WORDS))}--${rng.pick(WORDS)}`, // py-Raven--dune (separator runs)
  (rng) => `${rng.int(1, 9)}${rng.pick(WORDS)}`, // 3widget (leading digit)
  (rng) => `${rng.pick(WORDS).toUpperCase()}_${rng.pick(WORDS)}`, // HARBOR_lumen
  (rng) => `${capitalize(rng.pick(WORDS))}-${rng.pick(WORDS)}.${rng.pick(WORDS)}_${rng.pick(WORDS)}`,
];

/** Wheel tag profiles; each project gets one, so filters see every platform kind. */
const TAG_PROFILES: string[][] = [
  ["py3-none-any"],
  ["py2.py3-none-any"],
  [
    "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp312-cp312-win_amd64",
    "cp311-cp311-macosx_11_0_arm64",
    "cp312-abi3-musllinux_1_1_aarch64",
  ],
  ["py3-none-any"],
  ["py3-none-any", "cp310-cp310-win32", "cp311-cp311-manylinux_2_28_aarch64", "cp39-cp39-macosx_10_9_x86_64"],
  ["py3-none-any"],
  ["py2-none-any", "cp27-cp27mu-manylinux1_x86_64", "cp36-cp36m-win_amd64"],
  ["py3-none-any"],
  [
    "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp312-cp312-macosx_10_13_universal2",
    "pp310-pypy310_pp73-manylinux_2_17_x86_64.manylinux2014_x86_64",
    "cp313-cp313t-win_arm64",
    "py3-none-any",
  ],
  ["py3-none-any"],
  ["cp311-cp311-freebsd_13_0_amd64", "py3-none-any"],
];

const REQUIRES_PYTHON = [null, ">=3.8", ">=3.7", null, ">=3.9", ">=3.6, <4", ">=3.8,!=3.9.0"];
const YANK_REASONS = ["", "security issue", "wrong metadata", MARKUP_YANK_REASON];

/** Pre-release suffixes cycled through so every form appears: rc, b, dev, a. */
const PRERELEASE_FORMS = ["rc1", "b1", ".dev1", "a2", "rc2", "a1", ".dev3", "b2"];

function planVersions(rng: Rng, index: number, count: number): string[] {
  const versions: string[] = [];
  let major = rng.int(0, 2);
  let minor = rng.int(0, 3);
  for (let release = 0; release < count; release++) {
    const last = release === count - 1;
    const wantPre = !last && (rng.chance(0.3) || (index % 4 === 1 && release === 0));
    if (wantPre) {
      const form = PRERELEASE_FORMS[(index + release) % PRERELEASE_FORMS.length] ?? "rc1";
      versions.push(form.startsWith(".") ? `${major}.${minor + 1}${form}` : `${major + 1}.0${form}`);
      if (form.startsWith(".")) minor += 1;
      else {
        major += 1;
        minor = 0;
      }
      continue;
    }
    const patch = rng.chance(0.4) ? `.${rng.int(0, 5)}` : "";
    const candidate = `${major}.${minor}${patch}`;
    versions.push(versions.includes(candidate) ? `${major}.${minor}.${release + 1}` : candidate);
    if (rng.chance(0.3)) {
      major += 1;
      minor = 0;
    } else minor += 1;
  }
  // The last release is sometimes a pre-release too, as on PyPI.
  if (count > 1 && index % 9 === 5) versions[count - 1] = `${major + 1}.0b1`;
  return versions;
}

/**
 * The generated project set for a seed. Deterministic: same seed and count, same plan.
 * Names are unique after PEP 503 normalization.
 */
export function planProjects(seed: number, count: number): PlannedProject[] {
  const rng = new Rng(seed ^ 0x5eed);
  const taken = new Set<string>();
  const projects: PlannedProject[] = [];
  for (let index = 0; index < count; index++) {
    const pattern = NAME_PATTERNS[index % NAME_PATTERNS.length]!;
    let name = pattern(rng);
    for (let attempt = 0; taken.has(normalizeName(name)); attempt++)
      name = attempt < 5 ? pattern(rng) : `${pattern(rng)}-${index}`;
    taken.add(normalizeName(name));

    const releaseCount = index % 5 === 0 ? 1 + (index % 4) : rng.int(1, 4);
    const versions = planVersions(rng, index, releaseCount);
    const profile = TAG_PROFILES[index % TAG_PROFILES.length]!;
    const releases = versions.map((version, releaseIndex): PlannedRelease => {
      // Older releases often lack the newer platform wheels.
      const wheelTags =
        releaseIndex < versions.length - 1 && profile.length > 1 && rng.chance(0.4)
          ? profile.slice(0, 2)
          : profile;
      const sdist = rng.chance(0.85) || profile.every((tag) => !tag.endsWith("-none-any"));
      let yankReason: string | null = null;
      if (index % 7 === 2 && releaseIndex === 0) yankReason = MARKUP_YANK_REASON;
      else if (releaseIndex < versions.length - 1 && rng.chance(0.12)) yankReason = rng.pick(YANK_REASONS);
      return { version, requiresPython: rng.pick(REQUIRES_PYTHON), wheelTags, sdist, yankReason };
    });
    projects.push({ name, releases, provenance: index % 3 === 0 });
  }
  return projects;
}
