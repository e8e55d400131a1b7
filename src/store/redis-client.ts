import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { redisUrlParts as urlParts, redisUrlProblem, type RedisMode } from '../config.js';

export { REDIS_MODES, redisUrlProblem, type RedisMode } from '../config.js';

/**
 * The one place that turns the Redis settings into an ioredis client: a single server
 * (`standalone`), a Redis Cluster (`cluster`, ioredis `Cluster`) or a master found through Sentinel
 * (`sentinel`). Every connection of the product (workers, producers, the HTTP service, the stores,
 * the CLI) is made here, with the role's options on top.
 */

/** A connection of any mode: BullMQ and our stores take either. */
export type RedisConnection = Redis | Cluster;

/** The Redis settings of the config schema; a bare `{ redisUrl }` is a standalone server. */
export interface RedisSettings {
  /** `REDIS_URL`: one URL, or in cluster and sentinel mode comma-separated seed nodes / sentinels. */
  redisUrl: string;
  /** `ORGSYNC_REDIS_MODE`. Default `standalone`. */
  redisMode?: RedisMode | undefined;
  /** `ORGSYNC_REDIS_SENTINEL_NAME`: the master's name, required in sentinel mode. */
  redisSentinelName?: string | undefined;
  /** `ORGSYNC_REDIS_SENTINEL_PASSWORD`: the sentinels' own password (not the master's), if they have one. */
  redisSentinelPassword?: string | undefined;
  /** `ORGSYNC_REDIS_TLS_CA`: a PEM file of the CA that signed the servers' certificates (`rediss://`). */
  redisTlsCa?: string | undefined;
}

/** One `redis://` or `rediss://` URL of `REDIS_URL`, taken apart. */
export interface RedisEndpoint {
  host: string;
  port: number;
  tls: boolean;
  username?: string | undefined;
  password?: string | undefined;
  db?: number | undefined;
}

const DEFAULT_PORT = 6379;
const DEFAULT_SENTINEL_PORT = 26379;

/** The Redis settings of a configuration (`loadConfig`'s result has them all). */
export function redisSettingsOf(config: RedisSettings): RedisSettings {
  return {
    redisUrl: config.redisUrl,
    redisMode: config.redisMode,
    redisSentinelName: config.redisSentinelName,
    redisSentinelPassword: config.redisSentinelPassword,
    redisTlsCa: config.redisTlsCa,
  };
}

/** Takes one URL apart; the password and user are percent-decoded. */
export function parseRedisEndpoint(part: string, defaultPort = DEFAULT_PORT): RedisEndpoint {
  const url = new URL(part);
  const db = url.pathname.replace(/^\//, '');
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? defaultPort : Number(url.port),
    tls: url.protocol.toLowerCase() === 'rediss:',
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    db: db === '' ? undefined : Number(db),
  };
}

/** Every URL of `REDIS_URL`, taken apart (sentinels default to port 26379). */
export function redisEndpoints(settings: RedisSettings): RedisEndpoint[] {
  const mode = settings.redisMode ?? 'standalone';
  const problem = redisUrlProblem(settings.redisUrl, mode);
  if (problem !== undefined) throw new Error(`REDIS_URL: ${problem}`);
  const port = mode === 'sentinel' ? DEFAULT_SENTINEL_PORT : DEFAULT_PORT;
  return urlParts(settings.redisUrl).map((part) => parseRedisEndpoint(part, port));
}

/**
 * `REDIS_URL` for messages and logs: each URL as `redis://host:port/db`, without user or password,
 * and the mode when it is not standalone. The only way a Redis address is ever printed.
 */
export function describeRedis(settings: RedisSettings | string): string {
  const { redisUrl, redisMode } =
    typeof settings === 'string' ? { redisUrl: settings, redisMode: undefined } : settings;
  const described = urlParts(redisUrl).map((part) => {
    if (!URL.canParse(part)) return 'the configured REDIS_URL';
    const url = new URL(part);
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  });
  const list = described.length === 0 ? 'the configured REDIS_URL' : [...new Set(described)].join(',');
  return redisMode === undefined || redisMode === 'standalone' ? list : `${list} (${redisMode})`;
}

/**
 * `text` with every password of the settings (REDIS_URL's, the sentinels') replaced by `***`: for
 * the reason of a Redis error, which orgsync prints (ioredis's own messages hold none, but a message
 * is checked before it is shown).
 */
export function redactRedisSecrets(text: string, settings: RedisSettings): string {
  const secrets = new Set<string>();
  for (const part of urlParts(settings.redisUrl)) {
    if (!URL.canParse(part)) continue;
    const { password } = new URL(part);
    if (password !== '') {
      secrets.add(password);
      secrets.add(decodeURIComponent(password));
    }
  }
  if (settings.redisSentinelPassword) secrets.add(settings.redisSentinelPassword);
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join('***');
  return out;
}

/** The TLS options of a `rediss://` endpoint: Node's trust store, plus `ORGSYNC_REDIS_TLS_CA`. */
function tlsOptions(settings: RedisSettings, endpoint: RedisEndpoint): ConnectionOptions | undefined {
  if (!endpoint.tls) return undefined;
  // SNI names a host, never an address (RFC 6066); the certificate is checked against either.
  const options: ConnectionOptions = isIP(endpoint.host) === 0 ? { servername: endpoint.host } : {};
  if (settings.redisTlsCa !== undefined) {
    try {
      options.ca = readFileSync(settings.redisTlsCa, 'utf8');
    } catch (error) {
      throw new Error(
        `ORGSYNC_REDIS_TLS_CA: cannot read ${settings.redisTlsCa} (${(error as NodeJS.ErrnoException).code ?? 'error'}); it must be the path of a PEM file`,
        { cause: error },
      );
    }
  }
  return options;
}

/** Options of one connection besides its address: the role's (worker, producer), a name, retries. */
export type RoleOptions = Omit<RedisOptions, 'host' | 'port' | 'path' | 'username' | 'password' | 'db' | 'tls'>;

/** Options that ioredis takes on the cluster itself rather than on each node's connection. */
const CLUSTER_LEVEL = ['enableOfflineQueue', 'lazyConnect', 'enableReadyCheck'] as const;

/**
 * A new ioredis client for `settings` (mode, URLs, credentials, TLS) with the role's options. It
 * connects at once unless `lazyConnect`. Throws on settings that cannot work (a bad URL, a
 * missing sentinel name, an unreadable CA file), never quoting a password.
 */
export function createRedisClient(settings: RedisSettings, role: RoleOptions = {}): RedisConnection {
  const mode = settings.redisMode ?? 'standalone';
  const endpoints = redisEndpoints(settings);
  const first = endpoints[0];
  if (first === undefined) throw new Error('REDIS_URL: expected a redis:// or rediss:// URL');
  // Credentials and TLS of the data nodes: the first URL that names them.
  const username = endpoints.find((e) => e.username !== undefined)?.username;
  const password = endpoints.find((e) => e.password !== undefined)?.password;
  const credentials: RedisOptions = {
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
  };
  if (mode === 'cluster') {
    const nodeOptions: RedisOptions = { ...credentials, ...role };
    const clusterOptions: ClusterOptions = {};
    for (const name of CLUSTER_LEVEL) {
      const value = role[name];
      if (value !== undefined) clusterOptions[name] = value;
      delete nodeOptions[name];
    }
    // The cluster reconnects as a whole: the role's reconnect delays apply to it.
    const { retryStrategy } = role;
    if (retryStrategy) clusterOptions.clusterRetryStrategy = (times) => retryStrategy(times);
    const tls = tlsOptions(settings, first);
    if (tls) nodeOptions.tls = tls;
    return new Cluster(
      endpoints.map((e) => ({ host: e.host, port: e.port })),
      { ...clusterOptions, redisOptions: nodeOptions },
    );
  }
  if (mode === 'sentinel') {
    if (settings.redisSentinelName === undefined || settings.redisSentinelName === '')
      throw new Error(
        "ORGSYNC_REDIS_SENTINEL_NAME is required in sentinel mode: set it to the master's name in the sentinels' configuration (e.g. mymaster)",
      );
    const tls = tlsOptions(settings, first);
    return new Redis({
      ...credentials,
      ...(first.db !== undefined ? { db: first.db } : {}),
      sentinels: endpoints.map((e) => ({ host: e.host, port: e.port })),
      name: settings.redisSentinelName,
      ...(settings.redisSentinelPassword !== undefined ? { sentinelPassword: settings.redisSentinelPassword } : {}),
      ...(tls ? { tls, enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
      // After a failover: follow the new master as soon as the sentinels announce it, and redo a
      // write that reached the demoted one.
      failoverDetector: true,
      reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
      ...role,
    });
  }
  const tls = tlsOptions(settings, first);
  return new Redis({
    host: first.host,
    port: first.port,
    ...credentials,
    ...(first.db !== undefined ? { db: first.db } : {}),
    ...(tls ? { tls } : {}),
    ...role,
  });
}
