import { buildDirectory, type SeedDirectory } from './seed-schema.js';
import type { DirectoryJson } from './types.js';

/** Directories per organization, in the order they were attached. */
export class DirectoryStore {
  private readonly byOrganization = new Map<string, DirectoryJson[]>();
  private readonly ids = new Set<string>();
  private counter = 0;

  /** Attaches a directory to `input.organization_id` (the caller checks that it exists). */
  add(input: SeedDirectory): DirectoryJson {
    if (input.id !== undefined && this.ids.has(input.id)) throw new Error(`directory ${input.id} already exists`);
    const directory = buildDirectory(input, input.id ?? this.nextId());
    this.ids.add(directory.id);
    const list = this.byOrganization.get(directory.organization_id) ?? [];
    list.push(directory);
    this.byOrganization.set(directory.organization_id, list);
    return directory;
  }

  /** Copies of the organization's directories (empty when it has none). */
  list(organizationId: string): DirectoryJson[] {
    return (this.byOrganization.get(organizationId) ?? []).map((d) => structuredClone(d));
  }

  /** Deleting an organization deletes its directories (reference notes §10). */
  removeOrganization(organizationId: string): void {
    for (const d of this.byOrganization.get(organizationId) ?? []) this.ids.delete(d.id);
    this.byOrganization.delete(organizationId);
  }

  /** Every directory, grouped by organization. */
  all(): DirectoryJson[] {
    return [...this.byOrganization.values()].flat().map((d) => structuredClone(d));
  }

  clear(): void {
    this.byOrganization.clear();
    this.ids.clear();
  }

  private nextId(): string {
    let id: string;
    do {
      this.counter += 1;
      id = `dir_7${String(this.counter).padStart(16, '0')}`;
    } while (this.ids.has(id));
    return id;
  }
}
