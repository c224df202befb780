import type { ApiDeps } from './deps';
import type { RouteDef } from './http/route';
import { whoamiRoutes } from './crew/whoami';
import { logarithmRoutes } from './logarithm/routes';
import { projectRoutes } from './projects/routes';
import { pipelineRoutes } from './pipelines/routes';
import { runRoutes } from './runs/routes';

/** The route table: every /api/v1 route with its permission. The authorization matrix test walks it. */
export function apiRoutes(deps: ApiDeps): RouteDef[] {
  return [...whoamiRoutes(deps), ...projectRoutes(deps), ...pipelineRoutes(deps), ...runRoutes(deps), ...logarithmRoutes(deps)];
}
