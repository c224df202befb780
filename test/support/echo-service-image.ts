import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { podmanArgs } from '../../scripts/images/debian';

/** A tiny HTTP server in Perl (perl-base is in every Debian image): answers `$GREETING from <host>`. */
const SERVER = `use strict; use IO::Socket::INET;
my $port = $ARGV[0] || 8080;
my $s = IO::Socket::INET->new(LocalPort => $port, Listen => 16, ReuseAddr => 1) or die "listen: $!";
$| = 1; print "listening on $port\\n";
while (my $c = $s->accept) {
  while (my $line = <$c>) { last if $line =~ /^\\r?\\n$/; }
  print $c "HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\n\\r\\n" . ($ENV{GREETING} // "unset") . " from echo\\n";
  close $c;
}
`;

/**
 * A service image for sidecar tests, made here from the platform's Debian base image (no public
 * registry is reachable): `perl /srv/echo.pl`, port 8080 exposed.
 */
export function echoServiceImage(base: string): string {
  const name = 'localhost/containerops/test-echo:1';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'co-echo-'));
  fs.writeFileSync(path.join(dir, 'echo.pl'), SERVER);
  const file = [
    `FROM ${base}`,
    'COPY echo.pl /srv/echo.pl',
    'EXPOSE 8080',
    'CMD ["perl", "/srv/echo.pl"]',
    '',
  ];
  fs.writeFileSync(path.join(dir, 'Containerfile'), file.join('\n'));
  execFileSync(
    'podman',
    podmanArgs('build', '--pull=never', '-t', name, '-f', path.join(dir, 'Containerfile'), dir),
    {
      stdio: process.env.CO_TEST_VERBOSE ? 'inherit' : 'ignore',
    },
  );
  fs.rmSync(dir, { recursive: true, force: true });
  return name;
}
