import { alreadyExists, badRequest, invalidArgument, isApiError, notFound, type ApiError } from './api-error.js';
import { DirectoryStore } from './directory-store.js';
import { OrderedSlots } from './ordered-slots.js';
import {
  DEFAULT_SETTINGS,
  formatTimestamp,
  organizationJsonText,
  toOrganizationJson,
  type OrganizationRecord,
} from './organization-record.js';
import { encodePageToken, parsePageToken } from './page-token.js';
import { validateOrganizationFields, type OrganizationFields } from './rules.js';
import type { EmulatorSeed, SeedDirectory, SeedOrganization } from './seed-schema.js';
import type { DirectoryJson, OrganizationJson } from './types.js';

/** A list request after its query string is parsed. `pageSize` is already defaulted and clamped. */
export interface ListQuery {
  pageSize: number;
  pageToken?: string;
  externalId?: string;
}

/** A list page with the organizations already serialized (a JSON array text), for speed. */
export interface ListPage {
  organizationsJson: string;
  count: number;
  nextPageToken: string;
  prevPageToken: string;
  totalSize: number;
}

/** Options of `EmulatorStore`. */
export interface EmulatorStoreOptions {
  /** Initial state; `reset()` returns to it. */
  seed?: EmulatorSeed;
  /** Clock for timestamps, in epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

/**
 * The emulator's state: organizations in insertion order with indexes by id and external ID,
 * and directories per organization. Methods enforce Scalekit's rules and return an `ApiError`
 * value for an expected failure.
 */
export class EmulatorStore {
  /** Directories per organization. */
  readonly directories = new DirectoryStore();
  private readonly slots = new OrderedSlots<OrganizationRecord>();
  private readonly byId = new Map<string, OrganizationRecord>();
  private readonly byExternalId = new Map<string, OrganizationRecord>();
  private readonly now: () => number;
  private readonly seed: EmulatorSeed;
  private nextSeq = 1;
  private idCounter = 0;

  constructor(options: EmulatorStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.seed = options.seed ?? {};
    this.load(this.seed);
  }

  /** Number of organizations. */
  get size(): number {
    return this.byId.size;
  }

  /** Number of organizations (same as `size`). */
  organizationCount(): number {
    return this.byId.size;
  }

  /** Drops everything and loads the seed given at construction again. */
  reset(): void {
    this.slots.clear();
    this.byId.clear();
    this.byExternalId.clear();
    this.directories.clear();
    this.load(this.seed);
  }

  /** Adds a seed's organizations and directories; throws an Error naming the first bad entry. */
  load(seed: EmulatorSeed): void {
    (seed.organizations ?? []).forEach((org, index) => {
      const result = this.insert(org);
      if (isApiError(result))
        throw new Error(`seed organization #${index} (${org.external_id ?? org.display_name}): ${result.message}`);
    });
    (seed.directories ?? []).forEach((dir, index) => {
      const result = this.addDirectory(dir);
      if (isApiError(result))
        throw new Error(`seed directory #${index} (organization ${dir.organization_id}): ${result.message}`);
    });
  }

  /** One page in insertion order, or only the organization whose external ID matches. */
  listPage(query: ListQuery): ListPage | ApiError {
    if (query.externalId !== undefined && query.externalId !== '') {
      const match = this.byExternalId.get(query.externalId);
      const json = match ? `[${organizationJsonText(match)}]` : '[]';
      // total_size counts the matches here (an assumption: the spec does not say).
      return {
        organizationsJson: json,
        count: match ? 1 : 0,
        nextPageToken: '',
        prevPageToken: '',
        totalSize: match ? 1 : 0,
      };
    }
    let page: { items: OrganizationRecord[]; more: boolean };
    let direction: 'after' | 'before' = 'after';
    if (query.pageToken) {
      const position = parsePageToken(query.pageToken);
      if (!position) return badRequest('Invalid page token');
      direction = position.direction;
      page =
        direction === 'after'
          ? this.slots.after(position.seq, query.pageSize)
          : this.slots.before(position.seq, query.pageSize);
    } else {
      page = this.slots.after(0, query.pageSize);
    }
    const first = page.items[0];
    const last = page.items[page.items.length - 1];
    const hasNext =
      direction === 'after' ? page.more : last !== undefined && this.slots.after(last.seq, 1).items.length > 0;
    const hasPrev = direction === 'before' ? page.more : first !== undefined && this.slots.hasBefore(first.seq);
    return {
      organizationsJson: `[${page.items.map(organizationJsonText).join(',')}]`,
      count: page.items.length,
      nextPageToken: hasNext && last ? encodePageToken({ direction: 'after', seq: last.seq }) : '',
      prevPageToken: hasPrev && first ? encodePageToken({ direction: 'before', seq: first.seq }) : '',
      totalSize: this.byId.size,
    };
  }

  /** A copy of the organization, or undefined. */
  get(id: string): OrganizationJson | undefined {
    const record = this.byId.get(id);
    return record && toOrganizationJson(record);
  }

  /** A copy of the organization with this external ID, or undefined. */
  getByExternalId(externalId: string): OrganizationJson | undefined {
    const record = this.byExternalId.get(externalId);
    return record && toOrganizationJson(record);
  }

  /** Creates an organization (the fields of `POST /api/v1/organizations`). */
  create(fields: OrganizationFields): OrganizationJson | ApiError {
    if (fields.display_name === undefined) return invalidArgument(validateOrganizationFields(fields, true));
    const result = this.insert({
      display_name: fields.display_name,
      external_id: fields.external_id,
      metadata: fields.metadata,
      slug: fields.slug ?? undefined,
      logo_url: fields.logo_url ?? undefined,
      region_code: fields.region_code,
    });
    return isApiError(result) ? result : toOrganizationJson(result);
  }

  /** Partial update: only the fields present change; `metadata` replaces the whole map. */
  update(id: string, fields: OrganizationFields): OrganizationJson | ApiError {
    const record = this.byId.get(id);
    if (!record) return notFound(`organization ${id} not found`);
    const violations = validateOrganizationFields(fields, false);
    if (violations.length > 0) return invalidArgument(violations);
    if (typeof fields.external_id === 'string') {
      const holder = this.byExternalId.get(fields.external_id);
      if (holder && holder !== record)
        return alreadyExists(`an organization with external_id ${JSON.stringify(fields.external_id)} already exists`);
    }
    if (fields.external_id !== undefined) {
      if (record.external_id !== undefined) this.byExternalId.delete(record.external_id);
      record.external_id = fields.external_id ?? undefined;
      if (record.external_id !== undefined) this.byExternalId.set(record.external_id, record);
    }
    if (fields.display_name !== undefined) record.display_name = fields.display_name;
    if (fields.metadata !== undefined) record.metadata = { ...fields.metadata };
    if (fields.slug !== undefined) record.slug = fields.slug ?? undefined;
    if (fields.logo_url !== undefined) record.logo_url = fields.logo_url ?? undefined;
    record.update_time = formatTimestamp(this.now());
    return toOrganizationJson(record);
  }

  /** Deletes the organization and its directories; its external ID is free again at once. */
  delete(id: string): boolean {
    const record = this.byId.get(id);
    if (!record) return false;
    this.byId.delete(id);
    if (record.external_id !== undefined) this.byExternalId.delete(record.external_id);
    this.slots.remove(record.seq);
    this.directories.removeOrganization(id);
    return true;
  }

  /** The organization's directories, or undefined when the organization does not exist. */
  listDirectories(organizationId: string): DirectoryJson[] | undefined {
    return this.byId.has(organizationId) ? this.directories.list(organizationId) : undefined;
  }

  /** Attaches a directory to an existing organization. */
  addDirectory(input: SeedDirectory): DirectoryJson | ApiError {
    if (!this.byId.has(input.organization_id)) return notFound(`organization ${input.organization_id} not found`);
    return this.directories.add(input);
  }

  /** Every organization (in listing order) and every directory, as the API shapes them. */
  snapshot(): { organizations: OrganizationJson[]; directories: DirectoryJson[] } {
    return { organizations: [...this.slots.values()].map(toOrganizationJson), directories: this.directories.all() };
  }

  private insert(org: SeedOrganization): OrganizationRecord | ApiError {
    const fields: OrganizationFields = { display_name: org.display_name, metadata: org.metadata ?? {} };
    if (org.external_id) fields.external_id = org.external_id;
    if (org.slug) fields.slug = org.slug;
    if (org.logo_url) fields.logo_url = org.logo_url;
    const violations = validateOrganizationFields(fields, true);
    if (violations.length > 0) return invalidArgument(violations);
    if (org.external_id && this.byExternalId.has(org.external_id)) {
      return alreadyExists(`an organization with external_id ${JSON.stringify(org.external_id)} already exists`);
    }
    if (org.id !== undefined && this.byId.has(org.id)) return alreadyExists(`organization ${org.id} already exists`);
    const createTime = org.create_time ?? formatTimestamp(this.now());
    const record: OrganizationRecord = {
      seq: this.nextSeq++,
      id: org.id ?? this.nextId(),
      display_name: org.display_name,
      external_id: org.external_id || undefined,
      metadata: { ...(org.metadata ?? {}) },
      region_code: org.region_code ?? 'US',
      create_time: createTime,
      update_time: org.update_time ?? createTime,
      settings: org.settings ? { features: org.settings.features.map((f) => ({ ...f })) } : DEFAULT_SETTINGS,
      slug: org.slug || undefined,
      logo_url: org.logo_url || undefined,
    };
    this.slots.append(record);
    this.byId.set(record.id, record);
    if (record.external_id !== undefined) this.byExternalId.set(record.external_id, record);
    return record;
  }

  /** `org_` + 17 digits, like Scalekit's; skips any id a seed already took. */
  private nextId(): string {
    let id: string;
    do {
      this.idCounter += 1;
      id = `org_6${String(this.idCounter).padStart(16, '0')}`;
    } while (this.byId.has(id));
    return id;
  }
}
