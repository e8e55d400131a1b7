/** The rules that turn records into accounts; from configuration. */
export interface DomainRules {
  /** Allowed regions, lower case (default us-east,us-west,eu-west,eu-central,ap-south,ap-southeast). */
  regions: readonly string[];
  /** Metadata keys orgsync owns (default invoice_email,billing_plan,billing_currency,tax_id). */
  metadataKeys: readonly string[];
  /**
   * `--region`: the region of every record without one of its own. A record whose region column
   * says another region is invalid (`REGION_MISMATCH`): the flag never overrides data.
   */
  fixedRegion?: string | undefined;
}

/** A valid account: what the host system says one organization should look like. */
export interface Account {
  /** Line (CSV) or row number of the record it came from. */
  line: number;
  accountId: string;
  region: string;
  /** `${region}-${accountId}`. */
  externalId: string;
  displayName: string;
  /**
   * The owned keys the source carried: the desired value, or `null` when the key should be absent.
   * A key the source did not carry (no such column) is missing here: not managed in this run.
   */
  metadata: Record<string, string | null>;
}

/** Why a record was rejected. `code` is stable (see README, "Row errors"). */
export interface RowProblem {
  line: number;
  accountId?: string | undefined;
  externalId?: string | undefined;
  /** `invalid` for a bad row, `conflict` for a duplicate external ID. */
  action: 'invalid' | 'conflict';
  code: string;
  /** What is wrong and how to fix it, naming the field. */
  message: string;
  field?: string | undefined;
}
