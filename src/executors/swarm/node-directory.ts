import type Docker from 'dockerode';

import type { SwarmNode } from './swarm-types.js';

/** The swarm's nodes as the manager sees them, listed at most once per `maxAgeMs` for all iterations. */
export class NodeDirectory {
  private nodes = new Map<string, SwarmNode>();
  private fetchedAt = Number.NEGATIVE_INFINITY;
  private listing: Promise<void> | null = null;

  constructor(
    private readonly docker: Docker,
    private readonly maxAgeMs = 1_000,
  ) {}

  /** The node, as of at most maxAgeMs ago (`fresh`: as of now); undefined when the manager does not know it. */
  async get(id: string, fresh = false): Promise<SwarmNode | undefined> {
    await this.refresh(fresh);
    return this.nodes.get(id);
  }

  async all(): Promise<SwarmNode[]> {
    await this.refresh(true);
    return [...this.nodes.values()];
  }

  private async refresh(fresh: boolean): Promise<void> {
    if (!fresh && Date.now() - this.fetchedAt < this.maxAgeMs) return;
    this.listing ??= this.docker
      .listNodes()
      .then((nodes: SwarmNode[]) => {
        this.nodes = new Map(nodes.map((n) => [n.ID, n]));
        this.fetchedAt = Date.now();
      })
      .finally(() => {
        this.listing = null;
      });
    await this.listing;
  }
}
