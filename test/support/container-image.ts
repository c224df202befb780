import { ensureDebianImage, PLATFORM_IMAGES } from '../../scripts/images/debian';

/** The platform's base image (built from Debian packages on first use, cached after). */
export function testImage(): Promise<string> {
  return ensureDebianImage(PLATFORM_IMAGES.base, (line) => {
    if (process.env.CO_TEST_VERBOSE) console.log(line);
  });
}
