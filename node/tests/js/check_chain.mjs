// Connects @polkadot/api (the library behind polkadot.js Apps) to a DeFaaS node and prints what a
// wallet would show: chain name, token symbol and decimals, and the latest finalized block.
// Usage: node check_chain.mjs ws://127.0.0.1:9944
import { ApiPromise, WsProvider } from '@polkadot/api';

const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
const provider = new WsProvider(url, 1000, {}, 60_000);
const api = await ApiPromise.create({ provider, throwOnConnect: true, noInitWarn: true });
try {
  const [chain, finalized] = await Promise.all([
    api.rpc.system.chain(),
    api.rpc.chain.getFinalizedHead(),
  ]);
  const header = await api.rpc.chain.getHeader(finalized);
  const existentialDeposit = api.consts.balances.existentialDeposit.toString();
  console.log(JSON.stringify({
    chain: chain.toString(),
    tokenSymbol: api.registry.chainTokens,
    tokenDecimals: api.registry.chainDecimals,
    ss58Format: api.registry.chainSS58,
    finalized: header.number.toNumber(),
    existentialDeposit,
    pallets: api.runtimeMetadata.asLatest.pallets.map((p) => p.name.toString()),
  }));
} finally {
  await api.disconnect();
}
