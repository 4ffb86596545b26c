import { describe, expect, test } from "bun:test";
import { type PackageType, packageTypeOf, versionOf } from "../../src/packaging/filename.ts";

describe("packageTypeOf", () => {
  const cases: [string, PackageType][] = [
    ["numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "bdist_wheel"],
    ["Django-5.0.tar.gz", "sdist"],
    ["requests-0.2.0.tgz", "sdist"],
    ["pywin32-227.zip", "sdist"],
    ["foo-1.0.tar.bz2", "sdist"],
    ["foo-1.0.tar.xz", "sdist"],
    ["foo-1.0.tar", "sdist"],
    ["FOO-1.0.TAR.GZ", "sdist"],
    ["setuptools-0.6c11-py2.7.egg", "bdist_egg"],
    ["pywin32-214.win32-py2.6.exe", "bdist_wininst"],
    ["psycopg2-2.4.5.win-amd64-py2.7-pg9.1.3-release.msi", "bdist_msi"],
    ["foo-1.0-1.noarch.rpm", "bdist_rpm"],
    ["wxPython-2.8.dmg", "bdist_dmg"],
    ["README.txt", "unknown"],
    [".whl", "unknown"],
    ["foo-1.0.tar.gz.asc", "unknown"],
  ];
  for (const [filename, type] of cases) {
    test(`${filename} → ${type}`, () => expect(packageTypeOf(filename)).toBe(type));
  }
});

describe("versionOf", () => {
  const cases: [filename: string, project: string, version: string | null][] = [
    // wheels (PEP 427), with and without a build tag
    ["requests-2.31.0-py3-none-any.whl", "requests", "2.31.0"],
    ["numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "numpy", "2.0.0"],
    ["zope.interface-6.0-cp311-cp311-win_amd64.whl", "zope-interface", "6.0"],
    ["tf_nightly-2.17.0.dev20240601-1-cp39-cp39-macosx_10_15_x86_64.whl", "tf-nightly", "2.17.0.dev20240601"],
    ["foo-1.0-1abc-py3-none-any.whl", "foo", "1.0"],
    ["foo-1.0-abc-py3-none-any.whl", "foo", null],
    ["broken.whl", "broken", null],
    ["foo-1.0-py3-none.whl", "foo", null],
    // sdists: split where the prefix normalizes to the project name
    ["Django-5.0.tar.gz", "django", "5.0"],
    ["zope.interface-5.4.0.tar.gz", "zope-interface", "5.4.0"],
    ["python-dateutil-2.9.0.post0.tar.gz", "python-dateutil", "2.9.0.post0"],
    ["backports.zoneinfo-0.2.1.tar.gz", "backports-zoneinfo", "0.2.1"],
    ["foo_bar-1.0-beta.tar.gz", "foo-bar", "1.0-beta"],
    ["PyYAML-6.0.1.tar.gz", "pyyaml", "6.0.1"],
    ["pywin32-227.zip", "pywin32", "227"],
    ["requests-0.2.0.tgz", "requests", "0.2.0"],
    ["other-1.0.tar.gz", "project", null],
    ["project.tar.gz", "project", null],
    ["project-.tar.gz", "project", null],
    // eggs
    ["setuptools-0.6c11-py2.7.egg", "setuptools", "0.6c11"],
    ["lxml-2.2.8-py2.6-win32.egg", "lxml", "2.2.8"],
    ["foo-1.0.egg", "foo", "1.0"],
    ["foo.egg", "foo", null],
    // Windows installers, RPMs
    ["pywin32-214.win32-py2.6.exe", "pywin32", "214"],
    ["PyQt-1.0.win-amd64.exe", "pyqt", "1.0"],
    ["foo-1.0.win32.msi", "foo", "1.0"],
    ["foo-1.0-1.noarch.rpm", "foo", "1.0"],
    ["foo-1.0-1.src.rpm", "foo", "1.0"],
    ["README.txt", "readme", null],
  ];
  for (const [filename, project, version] of cases) {
    test(`${filename} (${project}) → ${version}`, () => expect(versionOf(filename, project)).toBe(version));
  }
});
