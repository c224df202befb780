import type { ApiDeps } from './deps';
import type { RouteDef } from './http/route';
import { whoamiRoutes } from './crew/whoami';

/** The route table: every /api/v1 route with its permission. The authorization matrix test walks it. */
export function apiRoutes(deps: ApiDeps): RouteDef[] {
  return [...whoamiRoutes(deps)];
}
