import { InMemoryConnector, InMemoryConnectorConfig } from '../../../lib';
import { describeConnectorConformance } from './connector-conformance';

describeConnectorConformance('in-memory', async () => {
  const store = `conformance-${process.pid}`;
  return {
    connector: await new InMemoryConnectorConfig({ store }).create({
      scope: 'default',
    }),
    features: { fileAndFolderKeys: true },
    teardown: async () => InMemoryConnector.reset(store),
  };
});
