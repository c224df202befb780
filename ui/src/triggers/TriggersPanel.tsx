import { can, type Role } from '../lib/roles';
import { ScheduleSection } from './ScheduleSection';
import { WebhookSection } from './WebhookSection';

/** How a saved pipeline starts besides Run: its webhook and its schedules. */
export function TriggersPanel({
  project,
  role,
  pipeline,
}: {
  project: string;
  role: Role;
  pipeline: string;
}) {
  const editable = can(role, 'write-pipelines');
  return (
    <div className="triggers" aria-label="Triggers">
      <WebhookSection project={project} pipeline={pipeline} editable={editable} />
      <ScheduleSection project={project} pipeline={pipeline} editable={editable} canRun={can(role, 'run')} />
    </div>
  );
}
