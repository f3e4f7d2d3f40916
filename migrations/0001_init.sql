-- 0001_init.sql - the core schema: who (tenants, tokens), where (hosts), what (VSNs and
-- their SLA versions), how it is realised (placements, reservations) and what happened
-- (events). Applied by kairosd at start inside one transaction; see db/migrate.c.

CREATE TABLE tenants (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL UNIQUE
                CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Bearer tokens, stored as SHA-256 digests: the plain token is shown once and never kept.
-- An admin token has no tenant.
CREATE TABLE tokens (
    id          bigserial PRIMARY KEY,
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    tenant_id   uuid REFERENCES tenants(id) ON DELETE CASCADE,
    is_admin    boolean NOT NULL DEFAULT false,
    label       text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    CHECK (is_admin <> (tenant_id IS NOT NULL))
);

-- The inventory. Cores and memory are read from the host's libvirt connection when it is
-- registered; the rest are Kairos attributes of the host.
CREATE TABLE hosts (
    name                    text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$'),
    libvirt_uri             text NOT NULL,
    cores                   integer NOT NULL CHECK (cores > 0),
    memory_mib              bigint NOT NULL CHECK (memory_mib > 0),
    speed                   numeric NOT NULL CHECK (speed > 0),
    ovs_bridge              text NOT NULL UNIQUE,
    uplink_mbps             numeric NOT NULL CHECK (uplink_mbps > 0),
    storage_pool            text NOT NULL,
    storage_gib             numeric NOT NULL CHECK (storage_gib >= 0),
    storage_iops            integer NOT NULL CHECK (storage_iops >= 0),
    storage_mbps            numeric NOT NULL CHECK (storage_mbps >= 0),
    availability_host       numeric NOT NULL CHECK (availability_host > 0 AND availability_host <= 1),
    availability_hypervisor numeric NOT NULL CHECK (availability_hypervisor > 0 AND availability_hypervisor <= 1),
    failure_domain          text NOT NULL,
    state                   text NOT NULL DEFAULT 'up' CHECK (state IN ('up', 'failed')),
    created_at              timestamptz NOT NULL DEFAULT now()
);

-- A submitted Virtual Service Network. `document` is what the tenant sent, byte for byte;
-- `model` is the validated VSN in the JSON form of SPEC §2.
CREATE TABLE vsns (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id      uuid NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
    iri            text NOT NULL,
    label          text NOT NULL DEFAULT '',
    state          text NOT NULL CHECK (state IN ('admitted', 'deleted')),
    content_type   text NOT NULL,
    document       text NOT NULL,
    model          jsonb NOT NULL,
    sla_version    integer NOT NULL DEFAULT 1 CHECK (sla_version > 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
-- A tenant may not hold two live VSNs with the same IRI.
CREATE UNIQUE INDEX vsns_live_iri ON vsns (tenant_id, iri) WHERE state <> 'deleted';
CREATE INDEX vsns_tenant ON vsns (tenant_id);

-- Every SLA version ever agreed for a VSN; exactly one is 'agreed' while the VSN is live.
CREATE TABLE sla_versions (
    vsn_id                 uuid NOT NULL REFERENCES vsns(id) ON DELETE CASCADE,
    version                integer NOT NULL CHECK (version > 0),
    state                  text NOT NULL CHECK (state IN ('agreed', 'superseded', 'released')),
    terms                  jsonb NOT NULL,
    bounds                 jsonb NOT NULL,
    availability_target    numeric,
    availability_composed  numeric,
    created_at             timestamptz NOT NULL DEFAULT now(),
    ended_at               timestamptz,
    PRIMARY KEY (vsn_id, version)
);
CREATE UNIQUE INDEX sla_versions_one_agreed ON sla_versions (vsn_id) WHERE state = 'agreed';

-- Where each node (and each replica of it) of an SLA version runs.
CREATE TABLE placements (
    vsn_id         uuid NOT NULL,
    sla_version    integer NOT NULL,
    node_iri       text NOT NULL,
    replica        integer NOT NULL DEFAULT 0 CHECK (replica >= 0),
    host           text NOT NULL REFERENCES hosts(name) ON DELETE RESTRICT,
    core           integer NOT NULL CHECK (core >= 0),
    priority       integer,
    mode           text NOT NULL CHECK (mode IN ('normal', 'local', 'remote', 'local+remote')),
    PRIMARY KEY (vsn_id, sla_version, node_iri, replica),
    FOREIGN KEY (vsn_id, sla_version) REFERENCES sla_versions(vsn_id, version) ON DELETE CASCADE
);
CREATE INDEX placements_host ON placements (host);

-- Capacity held on a shared resource for an SLA version: CPU share of a core, memory,
-- bandwidth on an uplink or the LAN, storage capacity/IOPS/throughput on a pool.
-- backend_ref names the substrate object that enforces it (libvirt domain, OVS queue).
CREATE TABLE reservations (
    id             bigserial PRIMARY KEY,
    vsn_id         uuid NOT NULL,
    sla_version    integer NOT NULL,
    element_iri    text NOT NULL,
    resource       text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('cpu', 'memory', 'bandwidth', 'disk', 'iops', 'throughput')),
    amount         numeric NOT NULL CHECK (amount >= 0),
    unit           text NOT NULL,
    backend_ref    text,
    state          text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'released')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    released_at    timestamptz,
    FOREIGN KEY (vsn_id, sla_version) REFERENCES sla_versions(vsn_id, version) ON DELETE CASCADE
);
CREATE INDEX reservations_active ON reservations (resource, kind) WHERE state = 'active';

-- An append-only journal: admissions, rejections, renegotiations, failures, failovers.
CREATE TABLE events (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    kind       text NOT NULL,
    tenant_id  uuid REFERENCES tenants(id) ON DELETE SET NULL,
    vsn_id     uuid REFERENCES vsns(id) ON DELETE SET NULL,
    host       text,
    detail     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX events_vsn ON events (vsn_id, at);
