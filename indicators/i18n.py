"""The dashboard's words in Japanese and English; report content itself stays Japanese.

Labels live in one table (:data:`TEXT`), keyed by a short id, so a page never holds a
literal in one language only. A label counting ``{n}`` things may add an English
singular (``en_one``), used when ``n`` is 1. Indicator, unit and country names come from
``definitions.toml``, where an analyst adds them with the indicator.
"""

from __future__ import annotations

import math

from indicators.definitions import default_definitions

LANGS = ("ja", "en")
DEFAULT_LANG = "ja"

TEXT: dict[str, dict[str, str]] = {
    # the review page (app_pages/review.py)
    "review_title": {"ja": "確認（レビュー）", "en": "Review"},
    "review_intro": {
        "ja": "要確認の数値（新しい順）: 文の変わった修正、妥当性の疑わしい値、弱い規則で"
        "見つかった値、どの指標にも割り当てられていない数値（形ごとにまとめて）。",
        "en": "Numbers to look at, newest first: corrections whose sentence changed, values "
        "that look implausible, values found by a weak rule, and numbers no indicator took "
        "(grouped by their shape across weeks).",
    },
    "review_empty": {"ja": "確認待ちの数値はありません。", "en": "Nothing waits for review."},
    "review_kinds": {"ja": "表示する種類", "en": "Show"},
    "review_kind_stale": {"ja": "文が変わった修正（要確認）", "en": "Correction, sentence changed"},
    "review_kind_flagged": {"ja": "妥当性に疑い", "en": "Flagged as implausible"},
    "review_kind_weak_rule": {"ja": "弱い規則", "en": "Found by a weak rule"},
    "review_kind_quantity": {"ja": "未割当の数値", "en": "Unassigned number"},
    "review_kind_value": {"ja": "抽出値", "en": "Value"},
    "review_all_values": {"ja": "すべての値も表示", "en": "Also show every value"},
    "review_pick": {"ja": "確認する数値", "en": "Number to review"},
    "review_group": {
        "ja": "同じ形の数値: {n}件（{weeks}週にわたる、初出 {first}）",
        "en": "Numbers of this shape: {n} over {weeks} weeks (first {first})",
        "en_one": "Numbers of this shape: 1 over {weeks} weeks (first {first})",
    },
    "review_stale_note": {
        "ja": "この修正（{action}）を記録した後に文が変わったため、適用していません。"
        "新しい値を確認し、必要なら改めて修正してください。",
        "en": "The sentence changed after this correction ({action}) was made, so it is "
        "not applied. Look at the new value and correct it again if needed.",
    },
    "review_item": {"ja": "項目", "en": "Item"},
    "review_members": {"ja": "同じ形の数値の一覧", "en": "Every number of this shape"},
    "review_report": {"ja": "報告書を開く", "en": "Open the report"},
    "review_now": {"ja": "現在の値", "en": "Now"},
    "review_action": {"ja": "操作", "en": "Action"},
    "review_confirm": {"ja": "確認（正しい）", "en": "Confirm"},
    "review_correct": {"ja": "修正", "en": "Correct"},
    "review_reject": {"ja": "却下（この指標ではない）", "en": "Reject (not this indicator)"},
    "review_assign": {"ja": "指標に割り当て", "en": "Assign to an indicator"},
    "review_dismiss": {"ja": "対象外（無視）", "en": "Dismiss"},
    "review_value": {"ja": "値", "en": "Value"},
    "review_unit": {"ja": "単位", "en": "Unit"},
    "review_qualifier": {"ja": "限定詞", "en": "Qualifier"},
    "review_date": {"ja": "時点", "en": "Date"},
    "review_dimension": {"ja": "国（次元）", "en": "Country (dimension)"},
    "review_no_dimension": {"ja": "なし", "en": "none"},
    "review_indicator": {"ja": "指標", "en": "Indicator"},
    "review_reason": {"ja": "理由（任意）", "en": "Reason (optional)"},
    "review_submit": {"ja": "記録する", "en": "Record"},
    "review_done": {"ja": "記録しました: {action}", "en": "Recorded: {action}"},
    "review_refused": {"ja": "記録できません", "en": "Cannot record this"},
    "review_log": {"ja": "確認の記録", "en": "Review log"},
    "review_log_help": {
        "ja": "すべての操作（追記のみ）: 誰が、いつ、何を、変更前と変更後、理由。",
        "en": "Every action (append-only): who, when, what, before and after, why.",
    },
    "new_indicator": {"ja": "この数値から新しい指標を作る", "en": "New indicator from this number"},
    "new_indicator_help": {
        "ja": "保存後、保存済みの全報告書を再抽出し、過去の推移も表示します。",
        "en": "Once saved, every stored report is extracted again, so its history shows.",
    },
    "new_id": {"ja": "ID（半角英小文字・数字・_）", "en": "Id (lower-case letters, digits, _)"},
    "new_name_ja": {"ja": "名前（日本語）", "en": "Name (Japanese)"},
    "new_name_en": {"ja": "名前（英語）", "en": "Name (English)"},
    "new_kind": {"ja": "種類", "en": "Kind"},
    "kind_stock": {"ja": "時点の総数", "en": "Stock (a total as of a day)"},
    "kind_flow": {"ja": "期間の数", "en": "Flow (a count for a period)"},
    "kind_event": {"ja": "出来事ごとの数", "en": "Event (added up per week)"},
    "new_dimension": {"ja": "国の扱い", "en": "Country"},
    "dim_none": {"ja": "なし", "en": "none"},
    "dim_reporter": {"ja": "発表した国", "en": "the reporting country"},
    "dim_counterparty": {"ja": "相手国", "en": "the counterparty"},
    "new_cues": {
        "ja": "手がかりの語（文から提案）",
        "en": "Cue words (suggested from the sentence)",
    },
    "new_save": {"ja": "保存して再抽出", "en": "Save and re-extract"},
    "new_saved": {
        "ja": "指標「{name}」を保存し、{n}件の報告書を再抽出しました（{seconds:.1f}秒）。",
        "en": "Saved “{name}” and extracted {n} reports again ({seconds:.1f} s).",
        "en_one": "Saved “{name}” and extracted 1 report again ({seconds:.1f} s).",
    },
    "defined_toml": {"ja": "追加した指標（TOML）", "en": "Indicators defined here (TOML)"},
    "origin": {"ja": "由来", "en": "Origin"},
    "origin_corrected": {"ja": "修正済み", "en": "corrected"},
    "origin_assigned": {"ja": "割当済み", "en": "assigned"},
    "origin_extracted": {"ja": "抽出", "en": "extracted"},
    "origin_note": {
        "ja": "{origin}（{by}、{at}）。抽出値: {original}",
        "en": "{origin} ({by}, {at}); extracted: {original}",
    },
    # app and sidebar
    "app_title": {"ja": "ベラルーシ週報インジケーター", "en": "Belarus weekly indicators"},
    "language": {"ja": "言語 / Language", "en": "Language / 言語"},
    "series": {"ja": "報告書シリーズ", "en": "Report series"},
    "series_help": {
        "ja": "国｜発行者。サンプル（合成）シリーズは実データと混ざりません。",
        "en": "Country｜issuer. Sample (synthetic) series never mix with real ones.",
    },
    "include_sample": {"ja": "サンプルデータを含める", "en": "Include sample data"},
    "sample_caption": {
        "ja": "サンプル（合成データ）は淡色・破線で表示し、「サンプル」と明記しています。",
        "en": "Sample (synthetic) data is drawn lighter and dashed and labelled 'sample'.",
    },
    "no_series": {
        "ja": "シリーズが選択されていません。サイドバーで選んでください。",
        "en": "No report series selected; choose one in the sidebar.",
    },
    "building_db": {
        "ja": "初回起動: 同梱の報告書からデータベースを作成しています…",
        "en": "First start: building the database from the bundled reports…",
    },
    "built_db": {"ja": "データベースを作成しました", "en": "Database built"},
    "build_failed": {
        "ja": "データベースを作成できませんでした",
        "en": "The database could not be built",
    },
    "db_unavailable": {"ja": "データベースを読めません", "en": "The database cannot be read"},
    # sign-in and roles
    "signin_title": {"ja": "サインインしてください", "en": "Please sign in"},
    "signin_body": {
        "ja": "このダッシュボードは、チームの ID プロバイダーで"
        "サインインした人だけが利用できます。",
        "en": "This dashboard is for people signed in with the team's identity provider.",
    },
    "signin_button": {"ja": "サインイン", "en": "Sign in"},
    "signout_button": {"ja": "サインアウト", "en": "Sign out"},
    "signed_in_as": {"ja": "{name}（{role}）", "en": "{name} ({role})"},
    "role_editor": {"ja": "編集者", "en": "editor"},
    "role_viewer": {"ja": "閲覧者", "en": "viewer"},
    "viewer_note": {
        "ja": "閲覧のみできます。報告書の追加と確認は編集者が行います"
        "（編集者はダッシュボードの設定に登録されています）。",
        "en": "You can view everything; adding reports and reviewing are for editors "
        "(listed in the dashboard's configuration).",
    },
    "read_only_note": {
        "ja": "この画面は閲覧専用です。データは変更できません。",
        "en": "This screen is read-only: data cannot be changed here.",
    },
    "read_only": {"ja": "閲覧専用", "en": "read-only"},
    "working_as": {"ja": "作業者: {name}", "en": "Working as {name}"},
    "your_name": {"ja": "お名前（記録に残ります）", "en": "Your name (kept in the log)"},
    "your_name_help": {
        "ja": "変更の記録に残す名前です。このセッションの間は記憶されます。",
        "en": "The name changes are recorded under; remembered for this session.",
    },
    "name_ok": {"ja": "決定", "en": "OK"},
    "name_needed": {
        "ja": "報告書の追加や数値の確認・修正の前に、お名前を入力してください。",
        "en": "Give your name before adding reports or reviewing numbers.",
    },
    "change_name": {"ja": "名前を変更", "en": "Change name"},
    "auth_settings_wrong": {
        "ja": "サインインの設定に誤りがあります",
        "en": "The sign-in settings are wrong",
    },
    "db_write_failed": {
        "ja": "データベースに書き込めませんでした",
        "en": "The database could not be written",
    },
    "bad_setting": {"ja": "設定が正しくありません", "en": "A setting is wrong"},
    "page_overview": {"ja": "概要", "en": "Overview"},
    "page_trends": {"ja": "推移", "en": "Trends"},
    "page_events": {"ja": "出来事", "en": "Events"},
    "page_reports": {"ja": "報告書", "en": "Reports"},
    "page_review": {"ja": "確認", "en": "Review"},
    "share_link": {
        "ja": "このページのURLで同じ表示を再現できます。",
        "en": "This page's URL reproduces the view.",
    },
    # common words
    "sample": {"ja": "サンプル", "en": "sample"},
    "real": {"ja": "実データ", "en": "real"},
    "data_kind": {"ja": "データ", "en": "Data"},
    "week": {"ja": "週（月曜）", "en": "Week (Monday)"},
    "value": {"ja": "値", "en": "Value"},
    "qualifier": {"ja": "限定詞", "en": "Qualifier"},
    "country": {"ja": "国", "en": "Country"},
    "counterparty": {"ja": "相手国", "en": "Counterparty"},
    "currency": {"ja": "通貨", "en": "Currency"},
    "unit": {"ja": "単位", "en": "Unit"},
    "report": {"ja": "報告書", "en": "Report"},
    "report_date": {"ja": "報告書の日付", "en": "Report date"},
    "source": {"ja": "情報源", "en": "Source"},
    "evidence": {"ja": "根拠の文", "en": "Evidence"},
    "as_of": {"ja": "時点", "en": "As of"},
    "n_obs": {"ja": "件数", "en": "Count"},
    "no_report": {"ja": "報告書なし", "en": "no report"},
    "not_stated": {"ja": "記載なし", "en": "not stated"},
    "date_range": {"ja": "期間", "en": "Date range"},
    "download_csv": {"ja": "CSV", "en": "CSV"},
    "download_csv_help": {
        "ja": "表示中の行を出典付きで CSV に（UTF-8 BOM 付き、Excel で開けます）",
        "en": "The rows shown, with provenance, as CSV (UTF-8 with BOM, opens in Excel)",
    },
    "download_png": {"ja": "PNG", "en": "PNG"},
    "download_png_help": {"ja": "グラフを PNG 画像で保存", "en": "Save the chart as a PNG image"},
    "rows": {"ja": "{n:,} 行", "en": "{n:,} rows", "en_one": "1 row"},
    "page_n": {"ja": "ページ", "en": "Page"},
    "of_pages": {
        "ja": "{total:,} 件中 {first:,}–{last:,} 件",
        "en": "{first:,}–{last:,} of {total:,}",
    },
    "chart_series_cap": {
        "ja": "グラフには選択中の {total} シリーズのうち最初の {n} シリーズを表示しています。",
        "en": "The chart shows the first {n} of the {total} series selected.",
    },
    "nothing": {"ja": "該当するデータがありません。", "en": "No data for this selection."},
    # overview
    "overview_title": {"ja": "概要：今週の動き", "en": "Overview: what changed this week"},
    "overview_range": {
        "ja": "{start} から {end} までの週（選択中のシリーズの直近 52 週）",
        "en": "Weeks from {start} to {end} (the latest 52 weeks of the selected series)",
    },
    "latest_report": {
        "ja": "最新の報告書: {date}（{series}）",
        "en": "Latest report: {date} ({series})",
    },
    "stated_latest": {"ja": "最新の報告書に記載", "en": "stated in the latest report"},
    "stated_weeks_ago": {
        "ja": "最終記載は {n} 週間前（{date}）",
        "en": "last stated {n} weeks ago ({date})",
        "en_one": "last stated 1 week ago ({date})",
    },
    "stated_week_ago": {
        "ja": "最終記載は 1 週間前（{date}）",
        "en": "last stated 1 week ago ({date})",
    },
    "change_from_previous": {"ja": "前回の報告から", "en": "from the previous report"},
    "tile_help": {
        "ja": "{date} 時点。変化は前回記載（{prev}）との差。",
        "en": "As of {date}. Change against the previous statement ({prev}).",
    },
    "tiles_more": {
        "ja": "ほか {n} 系列は「推移」ページで表示できます。",
        "en": "{n} more series are on the Trends page.",
        "en_one": "1 more series is on the Trends page.",
    },
    "chart_prisoners": {"ja": "政治犯の数（週ごと）", "en": "Political prisoners (weekly)"},
    "chart_border": {
        "ja": "国境での越境阻止（国別・週ごと）",
        "en": "Border interceptions by country (weekly)",
    },
    "chart_border_note": {
        "ja": "人数と件数は別の単位なので別のグラフに描き、合算しません。",
        "en": "Persons and attempts are different units: separate panels, never summed.",
    },
    "chart_deals": {
        "ja": "貿易取引・契約の金額（週・通貨別）",
        "en": "Value of trade deals (by week and currency)",
    },
    "chart_deals_note": {
        "ja": "通貨ごとに別のグラフです（換算しません）。相手国はツールチップに表示。",
        "en": "One panel per currency (no conversion); counterparties in the tooltip.",
    },
    # trends
    "trends_title": {"ja": "推移（分析）", "en": "Trends (analysis)"},
    "indicator": {"ja": "指標", "en": "Indicator"},
    "countries": {"ja": "国", "en": "Countries"},
    "transform": {"ja": "変換", "en": "Transform"},
    "transform_level": {"ja": "水準", "en": "Level"},
    "transform_diff": {"ja": "前週差", "en": "Change from previous week"},
    "transform_pct": {"ja": "前週比（%）", "en": "% change"},
    "transform_rolling4": {"ja": "4週移動平均", "en": "4-week rolling mean"},
    "annotations": {"ja": "注記する出来事", "en": "Events to annotate"},
    "annotations_help": {
        "ja": "出来事ログから選択（既定は期間中の「主な出来事」から均等に数件）。",
        "en": "Chosen from the event log (default: a few highlights spread over the range).",
    },
    "annotation_search": {"ja": "注記する出来事を検索", "en": "Find events to annotate"},
    "trend_help": {
        "ja": "点をクリックすると根拠の文と、その週の出来事を表示します。"
        " ● は正確な値、▲ は「少なくとも」、◆ は「約」。報告書のない週は線が途切れます。",
        "en": "Click a point for its evidence sentence and the week's events."
        " ● exact, ▲ 'at least', ◆ 'about'. A week without a report is a gap in the line.",
    },
    "selected_point": {"ja": "選択した点の根拠", "en": "Evidence for the selected point"},
    "week_events": {"ja": "この週の出来事", "en": "Events of this week"},
    "open_week_events": {
        "ja": "この週の出来事を「出来事」ページで開く",
        "en": "Open this week in Events",
    },
    "open_report": {"ja": "報告書を開く", "en": "Open the report"},
    "select_hint": {
        "ja": "グラフの点をクリックすると、ここに根拠が表示されます。",
        "en": "Click a point in the chart to see its evidence here.",
    },
    # events
    "events_title": {"ja": "出来事ログ", "en": "Event log"},
    "sections": {"ja": "セクション", "en": "Sections"},
    "search": {"ja": "検索（部分一致）", "en": "Search (substring)"},
    "events_chart": {"ja": "週ごとの出来事の数", "en": "Events per week"},
    "events_brush": {
        "ja": "グラフをドラッグすると期間で絞り込めます。",
        "en": "Drag across the chart to filter by period.",
    },
    "events_brushed": {
        "ja": "グラフで選んだ期間 {start} – {end} で絞り込み中",
        "en": "Filtered by the chart selection {start} – {end}",
    },
    "headline": {"ja": "見出し", "en": "Headline"},
    "body": {"ja": "本文", "en": "Body"},
    "section": {"ja": "セクション", "en": "Section"},
    "date": {"ja": "日付", "en": "Date"},
    "sources": {"ja": "情報源", "en": "Sources"},
    "published": {"ja": "発行日", "en": "Published"},
    "link": {"ja": "報告書", "en": "Report"},
    # reports
    "reports_title": {"ja": "報告書と取り込み", "en": "Reports and ingest"},
    "coverage": {"ja": "報告書のある週", "en": "Weeks with a report"},
    "coverage_note": {
        "ja": "色付きの週に報告書があり、灰色の週にはありません。",
        "en": "Coloured weeks have a report; grey weeks have none.",
    },
    "reports_table": {"ja": "報告書ごとの内容", "en": "What each report contributed"},
    "ingest_log": {"ja": "取り込みログ", "en": "Ingest log"},
    "upload": {"ja": "報告書ファイルを追加（.txt / .pdf）", "en": "Add report files (.txt / .pdf)"},
    "upload_help": {
        "ja": "1ファイル {mb} MiB まで。同じファイルの再取り込みは何も変えません。",
        "en": "Up to {mb} MiB per file. The same file again changes nothing.",
    },
    "upload_button": {"ja": "ファイルを選択", "en": "Choose files"},
    "upload_drop": {
        "ja": "またはここにドラッグ＆ドロップ（1ファイル {mb} MiB まで、.txt / .pdf）",
        "en": "or drop them here (up to {mb} MiB per file, .txt / .pdf)",
    },
    "upload_series": {"ja": "報告書シリーズ（任意）", "en": "Report series (optional)"},
    "upload_series_help": {
        "ja": "空欄なら報告書の表題と発行者から決まります（例: ベラルーシ｜在ベラルーシ大使館）。",
        "en": "Leave empty to take it from the report's title and issuer "
        "(e.g. ベラルーシ｜在ベラルーシ大使館).",
    },
    "ingest_button": {"ja": "取り込む", "en": "Ingest"},
    "ingest_done": {
        "ja": "取り込み完了: 追加 {added}・置換 {replaced}・変更なし {unchanged}・失敗 {failed}",
        "en": "Ingest done: {added} added, {replaced} replaced, {unchanged} unchanged,"
        " {failed} failed",
    },
    "file": {"ja": "ファイル", "en": "File"},
    "result": {"ja": "結果", "en": "Result"},
    "message": {"ja": "理由", "en": "Reason"},
    "report_detail": {"ja": "報告書の詳細", "en": "Report detail"},
    "report_missing": {"ja": "この報告書は見つかりません。", "en": "This report was not found."},
    "observations": {"ja": "抽出された数値", "en": "Extracted numbers"},
    "events": {"ja": "出来事", "en": "Events"},
    # the weekly digest (Overview and brief)
    "digest_title": {"ja": "今週の動き", "en": "This week"},
    "digest_week": {
        "ja": "{start}～{end} の週（最新の報告書 {published}）",
        "en": "Week of {start} to {end} (latest report {published})",
    },
    "digest_alerts": {"ja": "注意", "en": "Alerts"},
    "digest_no_alerts": {
        "ja": "注意すべき変化はありません（全ての系列が最新の報告書に記載され、通常の範囲内）。",
        "en": "Nothing unusual: every series is in the latest report and within its usual range.",
    },
    "digest_no_alerts_unjudged": {
        "ja": "注意すべき変化はありません（全ての系列が最新の報告書に記載）。ただし {n} 系列は"
        "記載の履歴が短く、通常の範囲をまだ判定できません。",
        "en": "Nothing unusual: every series is in the latest report. {n} of them have too"
        " short a history to judge a usual range yet.",
        "en_one": "Nothing unusual: every series is in the latest report. One of them has too"
        " short a history to judge a usual range yet.",
    },
    "digest_changes": {"ja": "指標の変化", "en": "Indicator changes"},
    "digest_sums": {
        "ja": "流量・取引の合計（週・月初来・年初来）",
        "en": "Flows and deals added up (week, month to date, year to date)",
    },
    "digest_sums_note": {
        "ja": "通貨ごと・国ごとの合計で、換算も合算もしません。"
        "週は月曜日の属する月・年に数えます。",
        "en": "Per currency and per country, never converted nor added across. A week"
        " counts in the month and year of its Monday.",
    },
    "digest_events": {"ja": "今週の出来事（セクション別）", "en": "This week's events by section"},
    "digest_events_count": {"ja": "{n} 件", "en": "{n} events", "en_one": "1 event"},
    "digest_main": {"ja": "主な出来事", "en": "main event"},
    "digest_band_note": {
        "ja": "通常の範囲: その系列自身の直近 {weeks} 記載週の中央値 ± {k}×ロバスト標準偏差"
        "（1.4826×中央絶対偏差、Hampel 法）。ストック（政治犯の数など）は週ごとの増減、"
        "フロー（越境阻止など）は週ごとの値で判定します。",
        "en": "Usual range: the median of the series' own last {weeks} stated weeks ± {k}"
        " robust standard deviations (1.4826 × median absolute deviation, the Hampel"
        " identifier); on the weekly change for stocks (e.g. political prisoners), on the"
        " weekly value for flows (e.g. border interceptions).",
    },
    "col_what": {"ja": "系列", "en": "Series"},
    "col_latest": {"ja": "最新値", "en": "Latest"},
    "col_as_of": {"ja": "週", "en": "Week"},
    "col_chg_prev": {"ja": "前回比", "en": "vs previous"},
    "col_chg_4w": {"ja": "4週前比", "en": "vs 4 weeks"},
    "col_chg_52w": {"ja": "52週前比", "en": "vs 52 weeks"},
    "col_status": {"ja": "状態", "en": "Status"},
    "col_week": {"ja": "今週", "en": "Week"},
    "col_month": {"ja": "月初来", "en": "Month to date"},
    "col_year": {"ja": "年初来", "en": "Year to date"},
    "status_not_stated": {
        "ja": "{n}週間記載なし",
        "en": "not stated for {n} weeks",
        "en_one": "not stated for 1 week",
    },
    "status_not_stated_one": {"ja": "1週間記載なし", "en": "not stated for 1 week"},
    "status_above": {"ja": "通常の範囲より上", "en": "above its usual range"},
    "status_below": {"ja": "通常の範囲より下", "en": "below its usual range"},
    "status_within": {"ja": "通常の範囲内", "en": "within its usual range"},
    "status_high": {"ja": "52週の最高", "en": "52-week high"},
    "status_low": {"ja": "52週の最低", "en": "52-week low"},
    "alert_stale": {
        "ja": "{what}: {n}週間記載なし（最終: {date} の週）",
        "en": "{what}: not stated for {n} weeks (last: week of {date})",
        "en_one": "{what}: not stated for 1 week (last: week of {date})",
    },
    "alert_series_stale": {
        "ja": "{series}: {n}週間報告書なし（最新の報告書 {date}）",
        "en": "{series}: no report for {n} weeks (latest report {date})",
        "en_one": "{series}: no report for 1 week (latest report {date})",
    },
    "alert_above": {
        "ja": "{what}: {value} — 通常の範囲より上",
        "en": "{what}: {value}, above its usual range",
    },
    "alert_below": {
        "ja": "{what}: {value} — 通常の範囲より下",
        "en": "{what}: {value}, below its usual range",
    },
    "alert_high": {"ja": "{what}: {value} — 52週の最高", "en": "{what}: {value}, a 52-week high"},
    "alert_low": {"ja": "{what}: {value} — 52週の最低", "en": "{what}: {value}, a 52-week low"},
    "change_help": {
        "ja": "≥ は「少なくとも」、≤ は「多くとも」（限定付きの値との差）。"
        "両方が下限なら差は出せません（—）。",
        "en": "≥ 'at least', ≤ 'at most' (a change involving a bound). Two lower bounds"
        " give no change (—).",
    },
    # the weekly brief
    "brief_title": {"ja": "週報ブリーフ", "en": "Weekly brief"},
    "brief_download_pdf": {"ja": "週報ブリーフ（PDF）", "en": "Weekly brief (PDF)"},
    "brief_download_html": {"ja": "メール用（HTML）", "en": "For mail (HTML)"},
    "brief_help": {
        "ja": "この週のダイジェスト・主要グラフ・出来事（出典付き）を1ページに。",
        "en": "This week's digest, key charts and events with their sources, on one page.",
    },
    "brief_scope": {"ja": "対象シリーズ: {series}", "en": "Series: {series}"},
    "brief_generated": {
        "ja": "作成 {now}・出典: 各報告書（報告書の言語のまま引用）",
        "en": "Made {now}. Source: the reports (quoted in their own language)",
    },
    "brief_more": {"ja": "ほか {n} 件", "en": "and {n} more"},
    "source_line": {"ja": "出典: {source}", "en": "Source: {source}"},
    "source_reports": {
        "ja": "{series} の週報（{start}～{end}）",
        "en": "weekly reports of {series} ({start} to {end})",
    },
    "download_svg": {"ja": "SVG", "en": "SVG"},
    "download_svg_help": {
        "ja": "グラフを SVG（スライド用、表題・凡例・出典付き）で保存",
        "en": "Save the chart as SVG (for slides: title, legend and source line)",
    },
    "annotation_list": {"ja": "注記", "en": "Annotations"},
    "annotations_cap": {
        "ja": "注記は最大 {n} 件です。",
        "en": "At most {n} annotations.",
    },
    "choose": {"ja": "選択してください", "en": "Choose"},
    "clear_brush": {"ja": "期間の絞り込みを解除", "en": "Clear the period filter"},
    "all": {"ja": "すべて", "en": "all"},
    "none": {"ja": "—", "en": "—"},
    "chart_legend_week": {"ja": "週", "en": "Week"},
}

#: Table column names (query result columns) in both languages.
COLUMNS: dict[str, dict[str, str]] = {
    "data": {"ja": "データ", "en": "Data"},
    "date": {"ja": "日付", "en": "Date"},
    "dates": {"ja": "日付（全て）", "en": "Dates"},
    "week": {"ja": "週（月曜）", "en": "Week (Monday)"},
    "section": {"ja": "セクション", "en": "Section"},
    "headline": {"ja": "見出し", "en": "Headline"},
    "body": {"ja": "本文", "en": "Body"},
    "sources": {"ja": "情報源", "en": "Sources"},
    "source": {"ja": "情報源", "en": "Source"},
    "series": {"ja": "報告書シリーズ", "en": "Report series"},
    "link": {"ja": "報告書", "en": "Report"},
    "report_published": {"ja": "報告書の日付", "en": "Report date"},
    "report_title": {"ja": "報告書", "en": "Report"},
    "report_file": {"ja": "ファイル", "en": "File"},
    "published": {"ja": "発行日", "en": "Published"},
    "period_start": {"ja": "期間（始）", "en": "Period from"},
    "period_end": {"ja": "期間（終）", "en": "Period to"},
    "title": {"ja": "表題", "en": "Title"},
    "issuer": {"ja": "発行者", "en": "Issuer"},
    "n_events": {"ja": "出来事", "en": "Events"},
    "n_observations": {"ja": "数値", "en": "Numbers"},
    "n_reports": {"ja": "報告書", "en": "Reports"},
    "n_obs": {"ja": "件数", "en": "Count"},
    "indicators": {"ja": "記載された指標", "en": "Indicators stated"},
    "indicator": {"ja": "指標", "en": "Indicator"},
    "dimension": {"ja": "国", "en": "Country"},
    "value": {"ja": "値", "en": "Value"},
    "unit": {"ja": "単位", "en": "Unit"},
    "qualifier": {"ja": "限定詞", "en": "Qualifier"},
    "as_of": {"ja": "時点", "en": "As of"},
    "evidence": {"ja": "根拠の文", "en": "Evidence"},
    "file_name": {"ja": "ファイル", "en": "File"},
    "file": {"ja": "ファイル", "en": "File"},
    "file_bytes": {"ja": "バイト数", "en": "Bytes"},
    "file_sha256": {"ja": "SHA-256", "en": "SHA-256"},
    "ingested_at": {"ja": "取り込み日時", "en": "Ingested at"},
    "logged_at": {"ja": "日時", "en": "Logged at"},
    "action": {"ja": "結果", "en": "Result"},
    "message": {"ja": "理由", "en": "Reason"},
    "logged_by": {"ja": "実施者", "en": "By"},
    "report_id": {"ja": "報告書ID", "en": "Report id"},
    "event_seq": {"ja": "項目番号", "en": "Item"},
    "origin": {"ja": "由来", "en": "Origin"},
    "original_value": {"ja": "抽出値", "en": "Extracted value"},
    "changed_by": {"ja": "変更者", "en": "Changed by"},
    "changed_at": {"ja": "変更日時", "en": "Changed at"},
    "review_kind": {"ja": "種類", "en": "Kind"},
    "before_value": {"ja": "変更前の値", "en": "Value before"},
    "after_value": {"ja": "変更後の値", "en": "Value after"},
    "after_indicator": {"ja": "割当先", "en": "Assigned to"},
    "reason": {"ja": "理由", "en": "Reason"},
    "sentence": {"ja": "文", "en": "Sentence"},
    "n_weeks": {"ja": "週数", "en": "Weeks"},
}


def column_label(column: str, lang: str) -> str:
    """A table column's name in ``lang`` (the column name itself if not translated).

    >>> column_label("report_published", "en"), column_label("unknown", "ja")
    ('Report date', 'unknown')
    """
    return COLUMNS.get(column, {}).get(lang, column)


# Qualifiers of a change between two figures (:func:`indicators.digest.change`), beside
# those the reports use (``[qualifiers]`` of the definitions): a bound on the change.
_CHANGE_QUALIFIERS = {
    "at_most": {"ja": "多くとも", "en": "at most", "sign": "≤"},
    "unknown": {"ja": "不明", "en": "unknown", "sign": ""},
}

TRANSFORMS = ("level", "diff", "pct", "rolling4")


def lang_or_default(lang: str | None) -> str:
    """A supported language code.

    >>> lang_or_default("EN"), lang_or_default("fr"), lang_or_default(None)
    ('en', 'ja', 'ja')
    """
    lang = (lang or "").lower()
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str, **values: object) -> str:
    """The label ``key`` in ``lang``, with ``{placeholders}`` filled in.

    >>> t("rows", "en", n=1234)
    '1,234 rows'
    >>> t("digest_events_count", "en", n=1)
    '1 event'
    >>> t("page_trends", "ja")
    '推移'
    """
    entry = TEXT[key]
    text = entry.get(lang) or entry[DEFAULT_LANG]
    if values.get("n") == 1:
        text = entry.get(f"{lang}_one", text)
    return text.format(**values) if values else text


def indicator_name(indicator_id: str, lang: str) -> str:
    """The indicator's name from ``definitions.toml``; the id if it is not defined.

    >>> indicator_name("political_prisoners", "en")
    'Political prisoners (Viasna)'
    """
    try:
        ind = default_definitions().indicator(indicator_id)
    except KeyError:
        return indicator_id
    return ind.name_en if lang == "en" else ind.name_ja


def country_name(code: str | None, lang: str) -> str:
    """A country's name and ISO code; a dash for "no country".

    >>> country_name("LT", "ja"), country_name("LT", "en"), country_name(None, "en")
    ('リトアニア (LT)', 'Lithuania (LT)', '—')
    """
    if not code:
        return "—"
    name = default_definitions().country_name(code, lang)
    return f"{name} ({code})" if name else code


def unit_label(unit: str, lang: str) -> str:
    """Persons/attempts in words; currencies keep their ISO code.

    >>> unit_label("attempts", "ja"), unit_label("USD", "ja")
    ('件', 'USD')
    """
    units = default_definitions().units
    return units[unit].name(lang) if unit in units else unit


def qualifier_label(qualifier: str, lang: str) -> str:
    """>>> qualifier_label("at_least", "en"), qualifier_label("at_most", "ja")
    ('at least', '多くとも')
    """
    found = default_definitions().qualifiers.get(qualifier)
    if found:
        return found.name(lang)
    return _CHANGE_QUALIFIERS.get(qualifier, {}).get(lang, qualifier)


def qualifier_sign(qualifier: str) -> str:
    """How a qualified number is written: ≥ "at least", ≈ "about", ≤ "at most".

    >>> qualifier_sign("at_least"), qualifier_sign("at_most"), qualifier_sign("exact")
    ('≥', '≤', '')
    """
    found = default_definitions().qualifiers.get(qualifier)
    if found:
        return str(found.sign)
    return _CHANGE_QUALIFIERS.get(qualifier, {}).get("sign", "")


def transform_label(transform: str, lang: str) -> str:
    return t(f"transform_{transform}", lang)


def format_number(value: float, unit: str, lang: str, *, compact: bool = False) -> str:
    """A value in its unit, money in 万/億 (ja) or millions (en).

    ``compact`` (a tile, where the label names the unit): English counts and all money
    without their unit, English money as M/B, so that a bound and a large sum still fit
    a quarter of the page's width.

    >>> format_number(1450, "persons", "ja"), format_number(1450, "persons", "en")
    ('1,450人', '1,450 persons')
    >>> format_number(7_000_000, "USD", "ja"), format_number(120_000_000, "USD", "en")
    ('700万 USD', '120 million USD')
    >>> format_number(1.5e9, "RUB", "ja"), format_number(12.5, "pct", "en")
    ('15億 RUB', '12.5 pct')
    >>> format_number(1450, "persons", "en", compact=True)
    '1,450'
    >>> format_number(107_600_000, "USD", "en", compact=True)
    '107.6M'
    >>> format_number(50_000_000, "USD", "ja", compact=True)
    '5,000万'
    """
    if unit in default_definitions().units:
        number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
        if lang == "ja":
            return f"{number}{unit_label(unit, lang)}"
        return number if compact else f"{number} {unit_label(unit, lang)}"
    currency = "" if compact else f" {unit}"
    if abs(value) >= 10_000 and lang == "ja":
        for sign, factor in (("兆", 1e12), ("億", 1e8), ("万", 1e4)):
            if abs(value) >= factor:
                return f"{_trim(value / factor)}{sign}{currency}"
    if abs(value) >= 1_000_000 and lang == "en":
        words = (("B", 1e9), ("M", 1e6)) if compact else (("billion", 1e9), ("million", 1e6))
        for word, factor in words:
            if abs(value) >= factor:
                space = "" if compact else " "
                return f"{_trim(value / factor)}{space}{word}{currency}"
    return f"{_trim(value)}{currency}"


def _trim(value: float) -> str:
    """>>> _trim(1200.0), _trim(2.25), _trim(0.125)
    ('1,200', '2.25', '0.12')
    """
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def format_value(
    value: float | None, unit: str, qualifier: str, lang: str, *, compact: bool = False
) -> str:
    """A value with its qualifier visible: ≥ for "at least", ≈ for "about".

    >>> format_value(22, "persons", "at_least", "en"), format_value(None, "USD", "exact", "en")
    ('≥22 persons', '—')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return qualifier_sign(qualifier) + format_number(value, unit, lang, compact=compact)


_ACTION = {
    "added": {"ja": "追加", "en": "added"},
    "replaced": {"ja": "置換", "en": "replaced"},
    "unchanged": {"ja": "変更なし", "en": "unchanged"},
    "failed": {"ja": "失敗", "en": "failed"},
}

# The library's reasons for refusing a file (English, as the command line prints them),
# in Japanese: by their fixed beginning; the rest (sizes, names) is kept as written.
_REASONS_JA = {
    "empty file": "空のファイル",
    "empty PDF": "空の PDF（ページがありません）",
    "not a text report": "テキストの報告書ではありません（バイナリ）",
    "cannot decode the text": "文字コードを判別できません（UTF-8 でも Shift-JIS でもありません）",
    "not a PDF": "PDF ではありません（%PDF ヘッダーがありません）",
    "file too large": "ファイルが大きすぎます",
    "is a folder": "フォルダーです（ファイルではありません）",
    "not a regular file": "通常のファイルではありません",
    "file not found": "ファイルが見つかりません（移動・削除された？）",
    "permission denied": "読み取り権限がありません",
    "cannot read the file": "ファイルを読めません",
    "no text layer": "テキスト層がありません（スキャンした PDF？ OCR が必要です）",
    "damaged or truncated PDF": "壊れているか途中で切れた PDF",
    "encrypted PDF": "暗号化された PDF（パスワードを外してください）",
    "no text": "テキストがありません（週報ではありません）",
    "no publication date": "ヘッダーに発行日（YYYY年M月D日）がありません"
    "（週報ではないか、日付を読めません）",
    "no news items": "記事（●）がありません（週報ではありません）",
    "not a .txt or .pdf report": ".txt / .pdf の報告書ではありません",
    "could not be read": "読み込めませんでした",
}


def action_label(action: object, lang: str) -> str:
    """An ingest result in words.

    >>> action_label("added", "ja"), action_label(None, "en")
    ('追加', '—')
    """
    if not isinstance(action, str):
        return "—"
    return _ACTION.get(action, {}).get(lang, action)


def reason(message: object, lang: str) -> str:
    """An ingest message in ``lang``; empty for none (never ``None`` on screen).

    >>> reason("file too large (3.0 MB; the limit is 1 MB)", "ja")
    'ファイルが大きすぎます（3.0 MB; the limit is 1 MB）'
    >>> reason(None, "ja"), reason("empty file", "en")
    ('', 'empty file')
    """
    if not isinstance(message, str) or not message:
        return ""
    if lang != "ja":
        return message
    for start, text in _REASONS_JA.items():
        if message.startswith(start):
            rest = message[len(start) :].strip(" :")
            if rest.startswith("(") and rest.endswith(")"):
                rest = rest[1:-1]
            return f"{text}（{rest}）" if rest and "（" not in text else text
    return message


def provenance(row: object, lang: str) -> str:
    """How a value came to be, when a person changed it ("" for an extracted value):
    corrected or assigned, by whom and when, and what was extracted.

    >>> row = {"origin": "corrected", "changed_by": "tanaka", "original_value": 1450.0,
    ...        "unit": "persons", "changed_at": "2024-01-05 10:00"}
    >>> provenance(row, "en")
    'corrected (tanaka, 2024-01-05); extracted: 1,450 persons'
    >>> provenance({"origin": "extracted"}, "en")
    ''
    """
    get = row.get if hasattr(row, "get") else (lambda name, default=None: default)
    origin = get("origin", None)
    if origin not in ("corrected", "assigned"):
        return ""
    original = get("original_value", None)
    unit = str(get("unit", "") or "")
    shown = "—"
    if isinstance(original, (int, float)) and not math.isnan(original):
        shown = format_number(float(original), unit, lang)
    return t(
        "origin_note",
        lang,
        origin=t(f"origin_{origin}", lang),
        by=get("changed_by", None) or "—",
        at=str(get("changed_at", None) or "—")[:10],
        original=shown,
    )


def freshness(weeks: int, date: str, lang: str) -> str:
    """How long ago a series was last stated, counted in its own reports' weeks.

    >>> freshness(0, "2023-11-24", "en")
    'stated in the latest report'
    >>> freshness(3, "2023-11-24", "en")
    'last stated 3 weeks ago (2023-11-24)'
    """
    if weeks <= 0:
        return t("stated_latest", lang)
    if weeks == 1:
        return t("stated_week_ago", lang, date=date)
    return t("stated_weeks_ago", lang, n=weeks, date=date)
