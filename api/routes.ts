import type { ApiDeps } from './deps';
import type { RouteDef } from './http/route';
import { artifactRoutes } from './dockyard/artifacts/routes';
import { cacheRoutes } from './dockyard/caches/routes';
import { dockyardGcRoutes } from './dockyard/gc-routes';
import { auditRoutes } from './crew/audit-routes';
import { teamRoutes } from './crew/team-routes';
import { tokenRoutes } from './crew/token-routes';
import { userRoutes } from './crew/user-routes';
import { whoamiRoutes } from './crew/whoami';
import { logarithmRoutes } from './logarithm/routes';
import { logRetentionRoutes } from './logarithm/retention-routes';
import { pipelineRoutes } from './pipelines/routes';
import { pipelineVersionRoutes } from './pipelines/version-routes';
import { nucleusRoutes } from './nucleus/routes';
import { memberRoutes } from './projects/member-routes';
import { projectRoutes } from './projects/routes';
import { runEventRoutes } from './runs/events';
import { runRoutes } from './runs/routes';
import { secretRoutes } from './scaler/secret-routes';
import { serviceRoutes } from './scaler/service-routes';
import { hookRoutes } from './triggers/hook-routes';
import { forgeHookRoutes } from './forges/forge-hook';
import { repositoryRoutes } from './forges/repositories';
import { badgeSettingRoutes } from './forges/badge';
import { scheduleRoutes } from './triggers/schedule-routes';

/** The route table: every /api/v1 route with its permission. The authorization matrix test walks it. */
export function apiRoutes(deps: ApiDeps): RouteDef[] {
  return [
    ...whoamiRoutes(deps),
    ...userRoutes(deps),
    ...tokenRoutes(deps),
    ...teamRoutes(deps),
    ...projectRoutes(deps),
    ...memberRoutes(deps),
    ...auditRoutes(deps),
    ...pipelineRoutes(deps),
    ...pipelineVersionRoutes(deps),
    ...runRoutes(deps),
    ...runEventRoutes(deps),
    ...logarithmRoutes(deps),
    ...nucleusRoutes(deps),
    ...secretRoutes(deps),
    ...serviceRoutes(deps),
    ...hookRoutes(deps),
    ...repositoryRoutes(deps),
    ...forgeHookRoutes(deps),
    ...badgeSettingRoutes(deps),
    ...scheduleRoutes(deps),
    ...artifactRoutes(deps),
    ...cacheRoutes(deps),
    ...dockyardGcRoutes(deps),
    ...logRetentionRoutes(deps),
  ];
}
