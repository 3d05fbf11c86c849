//! The FaaS level table.

use super::*;

fn level(tag: &[u8], cpu: u32, gpu: u32, memory: u32) -> FaasLevelOf<Test> {
	FaasLevel {
		cpu_millicores: cpu,
		gpu_units: gpu,
		memory_mb: memory,
		package_mb: 10,
		tag: BoundedVec::truncate_from(tag.to_vec()),
	}
}

#[test]
fn genesis_seeds_the_paper_levels() {
	ExtBuilder::default().build_and_execute(|| {
		assert_eq!(NextLevelId::<Test>::get(), 4);
		let levels = Market::api_levels();
		assert_eq!(levels.len(), 4);
		assert_eq!(levels[0], (0, LevelInfo::new(1_000, 0, 512, 50, b"normal")));
		assert_eq!(levels[1], (1, LevelInfo::new(1_000, 0, 1_024, 100, b"normal")));
		assert_eq!(levels[2], (2, LevelInfo::new(2_000, 0, 2_048, 200, b"graphics")));
		assert_eq!(levels[3], (3, LevelInfo::new(1_000, 10, 4_096, 500, b"ai")));
	});
}

#[test]
fn admin_appends_levels_with_sequential_ids() {
	ExtBuilder::default().build_and_execute(|| {
		let l = level(b"tiny", 250, 0, 128);
		assert_ok!(Market::add_level(RuntimeOrigin::root(), l.clone()));
		assert_eq!(last_event(), Event::LevelAdded { level_id: 4, level: l.clone() });
		assert_eq!(Levels::<Test>::get(4), Some(l));

		let gpu_only = level(b"gpu", 0, 4, 1_024);
		assert_ok!(Market::add_level(RuntimeOrigin::root(), gpu_only));
		assert_eq!(NextLevelId::<Test>::get(), 6);
		// Existing levels are untouched.
		assert_eq!(Market::api_levels()[0].1, LevelInfo::new(1_000, 0, 512, 50, b"normal"));
	});
}

#[test]
fn only_the_level_admin_adds_levels() {
	ExtBuilder::default().build_and_execute(|| {
		assert_noop!(
			Market::add_level(RuntimeOrigin::signed(ALICE), level(b"x", 1, 0, 1)),
			DispatchError::BadOrigin
		);
	});
}

#[test]
fn invalid_levels_are_rejected() {
	ExtBuilder::default().build_and_execute(|| {
		for bad in [level(b"", 1_000, 0, 512), level(b"x", 0, 0, 512), level(b"x", 1_000, 0, 0)] {
			assert_noop!(
				Market::add_level(RuntimeOrigin::root(), bad),
				Error::<Test>::InvalidLevel
			);
		}
	});
}

#[test]
fn level_ids_do_not_overflow() {
	ExtBuilder::default().build_and_execute(|| {
		NextLevelId::<Test>::put(u32::MAX);
		assert_noop!(
			Market::add_level(RuntimeOrigin::root(), level(b"x", 1, 0, 1)),
			Error::<Test>::LevelIdOverflow
		);
		NextLevelId::<Test>::put(4);
	});
}

#[test]
fn genesis_level_round_trips_through_the_bounded_type() {
	let info = LevelInfo::new(1_000, 10, 4_096, 500, b"ai");
	let bounded = info.try_into_level::<frame_support::traits::ConstU32<16>>().unwrap();
	assert_eq!(bounded.to_info(), info);
	assert!(info.try_into_level::<frame_support::traits::ConstU32<1>>().is_none());
}
