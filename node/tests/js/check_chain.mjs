// Connects @polkadot/api (the library behind polkadot.js Apps) to a DeFaaS node and prints what a
// wallet would show: chain name, token symbol and decimals, the latest finalized block — and,
// given a witness account, its stake from `defaas_witness` as JavaScript reads it (a decimal
// string, turned into a BigInt exactly; a JSON number above 2^53 would lose its last digits).
// Usage: node check_chain.mjs ws://127.0.0.1:9944 [witness SS58]
import { ApiPromise, Keyring, WsProvider } from '@polkadot/api';

// Signs and sends `tx`; resolves with its events once it is in a block, rejects on a dispatch
// error.
function sendAndWait(tx, signer, options = {}) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, options, ({ status, dispatchError, events }) => {
      if (dispatchError) {
        reject(new Error(dispatchError.toString()));
      } else if (status.isInBlock) {
        resolve(events);
      }
    }).catch(reject);
  });
}

const url = process.argv[2] ?? 'ws://127.0.0.1:9944';
const witness = process.argv[3];
const provider = new WsProvider(url, 1000, {}, 60_000);
// `ChargeAssetTxPayment`'s `assetId` is the runtime's `Option<NativeOrWithId<u32>>`: polkadot.js
// names the extension's type `TAssetConversion` and needs to be told its shape (a wallet adds
// the same two types in Settings → Developer).
const types = {
  NativeOrWithIdU32: { _enum: { Native: 'Null', WithId: 'u32' } },
  TAssetConversion: 'Option<NativeOrWithIdU32>',
};
const api = await ApiPromise.create({ provider, types, throwOnConnect: true, noInitWarn: true });
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
  // The stable test asset (id 1) as a wallet shows it, and the order call's arguments.
  const metadata = await api.query.assets.metadata(1);
  const details = await api.query.assets.asset(1);
  report.asset = {
    name: metadata.name.toUtf8(),
    symbol: metadata.symbol.toUtf8(),
    decimals: metadata.decimals.toNumber(),
    sufficient: details.isSome && details.unwrap().isSufficient.isTrue,
  };
  report.createOrderArgs = api.tx.market.createOrder.meta.args.map((a) => a.name.toString());
  // The asset-fee option: an account holding only TUSD (funded by Ferdie) sends TUSD back and
  // pays the fee in TUSD (`assetId`), swapped to FST through the genesis pool.
  if (process.argv[4]) {
    const keyring = new Keyring({ type: 'sr25519' });
    const ferdie = keyring.addFromUri('//Ferdie');
    const fresh = keyring.addFromUri(process.argv[4]);
    await sendAndWait(api.tx.assets.transfer(1, fresh.address, 5_000_000n), ferdie);
    const tusd = async () => (await api.query.assets.account(1, fresh.address)).unwrap().balance.toBigInt();
    const before = await tusd();
    const events = await sendAndWait(
      api.tx.assets.transfer(1, ferdie.address, 1_000_000n),
      fresh,
      { assetId: { WithId: 1 } },
    );
    const paid = events.find(({ event }) => event.section === 'assetConversionTxPayment'
      && event.method === 'AssetTxFeePaid');
    report.feeInAsset = {
      fee: paid ? paid.event.data[1].toString() : null,
      spent: (before - await tusd()).toString(),
      fstFree: (await api.query.system.account(fresh.address)).data.free.toString(),
    };
  }
  console.log(JSON.stringify(report));
} finally {
  await api.disconnect();
}
