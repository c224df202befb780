import { podman, podmanError, type PodmanOptions } from './podman';

/**
 * The command an image runs by itself (its ENTRYPOINT then CMD), as original ContainerOps jobs
 * ran their `endpoint` images: a step with an image and neither script nor command runs this.
 */
export async function imageCommand(
  options: PodmanOptions,
  image: string,
): Promise<{ command: string[] } | { problem: string }> {
  const format = '{"entrypoint":{{json .Config.Entrypoint}},"cmd":{{json .Config.Cmd}}}';
  const result = await podman(options, ['image', 'inspect', '--format', format, image]);
  if (result.code !== 0) return { problem: `cannot read the command of ${image}: ${podmanError(result)}` };
  const config = JSON.parse(result.stdout) as { entrypoint: string[] | null; cmd: string[] | null };
  const command = [...(config.entrypoint ?? []), ...(config.cmd ?? [])];
  if (command.length === 0)
    return { problem: `image ${image} has no entrypoint or command, and the step gives no script` };
  return { command };
}
