/**
 * The result columns of each catalog call, named and typed as HiveServer2 defines them (the
 * JDBC DatabaseMetaData result sets, with HiveServer2's spelling: KEQ_SEQ, IS_AUTO_INCREMENT).
 * Clients read these columns by name, so names and order are the protocol.
 */

/** A column type of a metadata result, as DuckDB spells it (shown as STRING, INT, ...). */
export type MetadataType = 'VARCHAR' | 'INTEGER' | 'SMALLINT' | 'TINYINT' | 'BOOLEAN';

export interface MetadataColumn {
  readonly name: string;
  readonly type: MetadataType;
}

function columns(spec: string): readonly MetadataColumn[] {
  return spec
    .trim()
    .split(/\s*,\s*/)
    .map((item) => {
      const [name, type = 'VARCHAR'] = item.split(/\s+/);
      return { name: name!, type: type as MetadataType };
    });
}

export const CATALOG_COLUMNS = columns('TABLE_CAT');

export const SCHEMA_COLUMNS = columns('TABLE_SCHEM, TABLE_CATALOG');

export const TABLE_COLUMNS = columns(`
  TABLE_CAT, TABLE_SCHEM, TABLE_NAME, TABLE_TYPE, REMARKS,
  TYPE_CAT, TYPE_SCHEM, TYPE_NAME, SELF_REFERENCING_COL_NAME, REF_GENERATION`);

export const TABLE_TYPE_COLUMNS = columns('TABLE_TYPE');

export const COLUMN_COLUMNS = columns(`
  TABLE_CAT, TABLE_SCHEM, TABLE_NAME, COLUMN_NAME, DATA_TYPE INTEGER, TYPE_NAME,
  COLUMN_SIZE INTEGER, BUFFER_LENGTH TINYINT, DECIMAL_DIGITS INTEGER, NUM_PREC_RADIX INTEGER,
  NULLABLE INTEGER, REMARKS, COLUMN_DEF, SQL_DATA_TYPE INTEGER, SQL_DATETIME_SUB INTEGER,
  CHAR_OCTET_LENGTH INTEGER, ORDINAL_POSITION INTEGER, IS_NULLABLE, SCOPE_CATALOG, SCOPE_SCHEMA,
  SCOPE_TABLE, SOURCE_DATA_TYPE SMALLINT, IS_AUTO_INCREMENT`);

export const TYPE_INFO_COLUMNS = columns(`
  TYPE_NAME, DATA_TYPE INTEGER, PRECISION INTEGER, LITERAL_PREFIX, LITERAL_SUFFIX, CREATE_PARAMS,
  NULLABLE SMALLINT, CASE_SENSITIVE BOOLEAN, SEARCHABLE SMALLINT, UNSIGNED_ATTRIBUTE BOOLEAN,
  FIXED_PREC_SCALE BOOLEAN, AUTO_INCREMENT BOOLEAN, LOCAL_TYPE_NAME, MINIMUM_SCALE SMALLINT,
  MAXIMUM_SCALE SMALLINT, SQL_DATA_TYPE INTEGER, SQL_DATETIME_SUB INTEGER, NUM_PREC_RADIX INTEGER`);

export const FUNCTION_COLUMNS = columns(`
  FUNCTION_CAT, FUNCTION_SCHEM, FUNCTION_NAME, REMARKS, FUNCTION_TYPE INTEGER, SPECIFIC_NAME`);

export const PRIMARY_KEY_COLUMNS = columns('TABLE_CAT, TABLE_SCHEM, TABLE_NAME, COLUMN_NAME, KEQ_SEQ INTEGER, PK_NAME');

export const CROSS_REFERENCE_COLUMNS = columns(`
  PKTABLE_CAT, PKTABLE_SCHEM, PKTABLE_NAME, PKCOLUMN_NAME, FKTABLE_CAT, FKTABLE_SCHEM,
  FKTABLE_NAME, FKCOLUMN_NAME, KEQ_SEQ INTEGER, UPDATE_RULE INTEGER, DELETE_RULE INTEGER,
  FK_NAME, PK_NAME, DEFERRABILITY INTEGER`);

/** One result row: a value per column, in order; null for SQL NULL. */
export type MetadataRow = ReadonlyArray<string | number | boolean | null>;
