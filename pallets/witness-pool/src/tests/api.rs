//! The runtime API views and their JSON form (what `defaas_*` RPC clients parse).

use super::*;

#[test]
fn the_witness_view_reports_activation_and_seats() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		assert_eq!(WitnessPool::api_witness(4), None);
		seated(&[1, 2]);
		let view = WitnessPool::api_witness(1).unwrap();
		assert_eq!(
			view,
			WitnessView {
				account: 1,
				vrf_key: vrf_key(1),
				stake: STAKE,
				reputation: 100,
				suspended: false,
				active: true,
				active_from: 6,
				seats: 1,
			}
		);
		let json = serde_json::to_string(&view).unwrap();
		for field in ["\"account\":1", "\"reputation\":100", "\"activeFrom\":6", "\"seats\":1"] {
			assert!(json.contains(field), "{field} in {json}");
		}
		assert!(json.contains("\"vrfKey\":\"5"), "SS58 key in {json}");
		assert_eq!(
			serde_json::from_str::<WitnessView<AccountId, Balance, BlockNumber>>(&json).unwrap(),
			view
		);
	});
}

#[test]
fn the_round_view_lists_members_windows_and_counts() {
	ExtBuilder::default().with_witnesses(1..=3).build_and_execute(|| {
		monitor(ORDER, 3, 2);
		run_to_block(OPEN_0);
		assert_ok!(join(2, ORDER, 0));
		run_to_block(JOIN_END_0);
		assert_ok!(commit(2, ORDER, 0, false));
		let record = round(ORDER, 0);
		let view = WitnessPool::api_round(ORDER, 0).unwrap();
		assert_eq!(view.members.len(), 3);
		assert_eq!(
			view.members[0],
			MemberView {
				witness: 2,
				output: Some(output(2, ORDER, 0)),
				seeded: false,
				committed: true,
				revealed: None
			}
		);
		assert!(view.members[1..].iter().all(|m| m.seeded && !m.committed && m.output.is_none()));
		assert_eq!((view.commits, view.reveals, view.verdict), (1, 0, None));
		assert_eq!(WitnessPool::api_committee(ORDER, 0), Some(members(ORDER, 0)));
		assert_eq!(WitnessPool::api_committee(ORDER, 1), None);
		assert_eq!(WitnessPool::api_round(ORDER, 1), None);

		let json = serde_json::to_string(&view).unwrap();
		let seed_hex: String = record.seed.iter().map(|b| format!("{b:02x}")).collect();
		for field in [
			"\"orderId\":7".to_string(),
			"\"phase\":\"reporting\"".to_string(),
			format!("\"seed\":\"0x{seed_hex}\""),
			format!("\"openedAt\":{OPEN_0}"),
			format!("\"joinEnd\":{JOIN_END_0}"),
			format!("\"commitEnd\":{COMMIT_END_0}"),
			format!("\"revealEnd\":{REVEAL_END_0}"),
			// 128-bit values are decimal strings (exact in JavaScript).
			format!("\"threshold\":\"{}\"", u128::MAX),
			"\"seeded\":false".to_string(),
			"\"commits\":1".to_string(),
			"\"verdict\":null".to_string(),
		] {
			assert!(json.contains(&field), "{field} in {json}");
		}
		assert_eq!(serde_json::from_str::<RoundView<AccountId, BlockNumber>>(&json).unwrap(), view);

		// Open rounds: every unsettled one, in order.
		run_to_block(20);
		let open_round = |round, phase, seed: [u8; 32], join_end| OpenRound {
			order_id: ORDER,
			round,
			phase,
			seed: seed.into(),
			threshold: u128::MAX,
			join_end,
		};
		assert_eq!(
			WitnessPool::api_open_rounds(),
			vec![
				open_round(0, RoundPhase::Reporting, record.seed, JOIN_END_0),
				open_round(1, RoundPhase::Joining, round(ORDER, 1).seed, 22)
			]
		);
		let json = serde_json::to_string(&WitnessPool::api_open_rounds()).unwrap();
		assert!(json.contains(&format!("\"threshold\":\"{}\"", u128::MAX)), "{json}");
		// Ended without a quorum of reveals: the phase in camelCase, no verdict, and the round
		// is no longer open.
		run_to_block(REVEAL_END_0);
		let json = serde_json::to_string(&WitnessPool::api_round(ORDER, 0).unwrap()).unwrap();
		assert!(
			json.contains("\"phase\":\"lapsed\"") && json.contains("\"verdict\":null"),
			"{json}"
		);
		let open: Vec<_> = WitnessPool::api_open_rounds()
			.into_iter()
			.map(|r| (r.order_id, r.round, r.phase))
			.collect();
		assert_eq!(open, vec![(ORDER, 1, RoundPhase::Reporting)]);
	});
}

#[test]
fn timings_serialize_like_the_genesis_preset() {
	let timings = WitnessTimings { join_window: 8u32, commit_window: 4, reveal_window: 6 };
	let json = serde_json::to_string(&timings).unwrap();
	assert_eq!(json, r#"{"joinWindow":8,"commitWindow":4,"revealWindow":6}"#);
	assert_eq!(serde_json::from_str::<WitnessTimings<u32>>(&json).unwrap(), timings);
}
