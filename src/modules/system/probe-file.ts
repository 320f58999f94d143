// A file's exact bytes inside a sectioned probe: base64, so a missing final newline survives the section split.
import { quote } from '../../remote/quote.js';

/** Prints the section only when `path` is a regular file (missing and empty differ), its content base64 on one line. */
export const exactFileSection = (name: string, path: string): string =>
  `if [ -f ${quote(path)} ]; then echo @@${name}; base64 -w0 < ${quote(path)}; echo; fi`;

/** The file's text from its section; undefined when the file is missing. */
export const exactFileText = (section: string | undefined): string | undefined =>
  section === undefined ? undefined : Buffer.from(section.trim(), 'base64').toString('utf8');
