/** The parts of the Swarm API's task and node objects that flakehunt reads (dockerode types them as any). */

export type TaskState =
  | 'new' | 'allocated' | 'pending' | 'assigned' | 'accepted' | 'preparing' | 'ready' | 'starting' | 'running'
  | 'complete' | 'shutdown' | 'failed' | 'rejected' | 'remove' | 'orphaned';

export interface SwarmTask {
  ID: string;
  ServiceID: string;
  NodeID?: string;
  DesiredState: string;
  Status: {
    Timestamp?: string;
    State: TaskState;
    Message?: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
  };
}

export interface SwarmNode {
  ID: string;
  Version: { Index: number };
  Spec: { Role?: string; Availability?: string; Labels?: Record<string, string> };
  Description?: {
    Hostname?: string;
    Platform?: { OS?: string; Architecture?: string };
    Engine?: { Labels?: Record<string, string> };
  };
  Status: { State: string; Message?: string; Addr?: string };
}

/** Where a task runs, for result.json and messages. */
export interface NodePlacement {
  id: string;
  hostname: string;
}

export function placementOf(node: SwarmNode): NodePlacement {
  return { id: node.ID, hostname: node.Description?.Hostname ?? node.ID };
}
