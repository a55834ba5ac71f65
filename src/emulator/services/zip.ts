// The deployment package GetFunction's Code.Location serves: the function's files as a ZIP archive (fflate writes it).
import { type Zippable, zipSync } from 'fflate';

/** 1980-01-01 00:00, ZIP's earliest time: a fixed stamp, so the same code always gives the same bytes. */
const FIXED_MTIME = new Date(1980, 0, 1);
/** Made on Unix, a regular file with rw-r--r--, as `zip` on Linux records a handler file. */
const UNIX = 3;
const REGULAR_FILE_RW_R_R = (0o100644 << 16) >>> 0;

/** The files of a package, by name; every file is deflated. */
export function zipFiles(files: Record<string, string | Buffer>): Buffer {
  const entries: Zippable = Object.fromEntries(
    Object.entries(files).map(([name, content]) => [
      name,
      [
        Buffer.isBuffer(content) ? new Uint8Array(content) : new TextEncoder().encode(content),
        { level: 6, mtime: FIXED_MTIME, os: UNIX, attrs: REGULAR_FILE_RW_R_R },
      ],
    ]),
  );
  return Buffer.from(zipSync(entries));
}
