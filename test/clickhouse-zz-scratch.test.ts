import { DuckDBInstance } from '@duckdb/node-api';
import { it } from 'vitest';

it('scratch', async () => {
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  const r = await c.runAndReadAll(`SELECT list(i) FROM range(1, 1114112) t(i) WHERE (i < 55296 OR i > 57343) AND trim(chr(i::INTEGER) || 'x') <> chr(i::INTEGER) || 'x'`);
  console.log('TRIMSET', JSON.stringify(r.getRows().map((row) => String(row[0]))));
  const r2 = await c.runAndReadAll(`SELECT list(i) FROM range(1, 1114112) t(i) WHERE (i < 55296 OR i > 57343) AND ltrim(chr(i::INTEGER) || 'x') <> chr(i::INTEGER) || 'x'`);
  console.log('LTRIMSET', JSON.stringify(r2.getRows().map((row) => String(row[0]))));
  const vals = ['1e15', '1e16', '1e17', '1e20', '1e21', '1e22', '123456789012345678', '1.5e16', '1.5e17', '0.001', '0.0001', '1e-5', '1e-6', '1e-7', '1.25e-7', '12345.678e10', '9007199254740993', '1.0', '0.5', '-1.5', '3.0e0', '1e0', '18446744073709551616', '-9223372036854775808', '1e308', '2.5e-300', '100', '1E5', '-0.0e0', '1.7976931348623157e308', '4e-320', '123e-2', '9.999999999999999e22', '1e6', '1.1e6', '123456.7', '1234567.8', '1e7', '1e9', '1e10', '1e11', '1e12', '1e13', '1e14', '12345678901234567', '0.1e1', '-1e-7','NAN','-NaN','+NaN','Inf','-inf','INFINITY','-Infinity','+Infinity','infinit','nana', '1e-400'];
  for (const v of vals) {
    try {
      const q = await c.runAndReadAll(`SELECT json_valid($s), json_extract_string($s, '$."a"')`, { s: `{"a":${v}}` });
      console.log('NUM', v, '=>', JSON.stringify(q.getRows()[0]?.map(String)));
    } catch (e) { console.log('NUM', v, 'ERR', String(e).slice(0, 100)); }
  }
});
