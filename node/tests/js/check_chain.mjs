// Connects @polkadot/api (the library behind polkadot.js Apps) to a DeFaaS node and prints what a
// wallet would show: chain name, token symbol and decimals, the latest finalized block — and,
// given a witness account, its stake from `defaas_witness` as JavaScript reads it (a decimal
// string, turned into a BigInt exactly; a JSON number above 2^53 would lose its last digits).
// Usage: node check_chain.mjs ws://127.0.0.1:9944 [witness SS58]
import { ApiPromise, WsProvider } from '@polkadot/api';

const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
const witness = process.argv[3];
const provider = new WsProvider(url, 1000, {}, 60_000);
const api = await ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
try {
  const [chain, finalized] = await Promise.all([
    api.rpc.system.chain(),
    api.rpc.chain.getFinalizedHead(),
  ]);
  const header = await api.rpc.chain.getHeader(finalized);
  const existentialDeposit = api.consts.balances.existentialDeposit.toString();
  const report = {
    chain: chain.toString(),
    tokenSymbol: api.registry.chainTokens,
    tokenDecimals: api.registry.chainDecimals,
    ss58Format: api.registry.chainSS58,
    finalized: header.number.toNumber(),
    existentialDeposit,
    pallets: api.runtimeMetadata.asLatest.pallets.map((p) => p.name.toString()),
  };
  if (witness) {
    const view = await provider.send('defaas_witness', [witness]);
    report.witnessStakeType = typeof view.stake;
    report.witnessStake = BigInt(view.stake).toString();
  }
  console.log(JSON.stringify(report));
} finally {
  await api.disconnect();
}
