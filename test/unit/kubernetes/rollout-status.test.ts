import {
  rolloutState,
  timedOutReplicaSet,
} from '../../../activities/runtimes/kubernetes/deploy/rollout-status';

const timedOut = (rs: string) => ({
  kind: 'Deployment',
  metadata: { name: 'web', generation: 3 },
  spec: { replicas: 2 },
  status: {
    observedGeneration: 3,
    replicas: 3,
    updatedReplicas: 2,
    availableReplicas: 2,
    conditions: [
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable' },
      {
        type: 'Progressing',
        status: 'False',
        reason: 'ProgressDeadlineExceeded',
        message: `ReplicaSet "${rs}" has timed out progressing.`,
      },
    ],
  },
});

describe('a Deployment whose Progressing condition says ProgressDeadlineExceeded', () => {
  it('names the ReplicaSet that timed out', () => {
    expect(timedOutReplicaSet(timedOut('web-7d9f'))).toBe('web-7d9f');
  });

  it('has failed when that ReplicaSet is the current revision', () => {
    const state = rolloutState(timedOut('web-7d9f'), 'web-7d9f');
    expect(state).toMatchObject({ done: false, failed: expect.stringContaining('ProgressDeadlineExceeded') });
  });

  it('has failed when the current ReplicaSet is not known', () => {
    expect(rolloutState(timedOut('web-7d9f'))).toMatchObject({ failed: expect.any(String) });
  });

  // After a rollback the controller observes the new generation one sync before it re-evaluates
  // progress: the condition still blames the abandoned ReplicaSet (seen on a real control plane).
  it('is judged by the replica counts when the condition blames a ReplicaSet the rollback abandoned', () => {
    // an old replica is still terminating
    expect(rolloutState(timedOut('web-bad1'), 'web-7d9f')).toEqual({
      done: false,
      waiting: '1 old replicas pending termination',
    });
    const settled = timedOut('web-bad1');
    settled.status.replicas = 2;
    expect(rolloutState(settled, 'web-7d9f')).toEqual({ done: true });
  });
});

describe('a Deployment rolling out normally', () => {
  it('is done once every replica is updated and available', () => {
    const done = {
      kind: 'Deployment',
      metadata: { generation: 2 },
      spec: { replicas: 2 },
      status: { observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 },
    };
    expect(rolloutState(done)).toEqual({ done: true });
    expect(timedOutReplicaSet(done)).toBeUndefined();
  });

  it('waits for the controller to observe a new generation', () => {
    const stale = { kind: 'Deployment', metadata: { generation: 3 }, status: { observedGeneration: 2 } };
    expect(rolloutState(stale)).toMatchObject({
      done: false,
      waiting: expect.stringContaining('generation'),
    });
  });
});
