/// The explorer's files by the name they are served under (`/assets/<name>`), compiled into the
/// binary so that one file is the whole product. SwiftPM embeds each file of `Assets/` as a byte
/// array named after it; a test checks that every file there is listed here.
public enum ExplorerFiles {
    public static let embedded: [String: [UInt8]] = [
        "api.js": PackageResources.api_js,
        "app.js": PackageResources.app_js,
        "dates.js": PackageResources.dates_js,
        "dom.js": PackageResources.dom_js,
        "explorer.css": PackageResources.explorer_css,
        "favicon.svg": PackageResources.favicon_svg,
        "forms.js": PackageResources.forms_js,
        "index.html": PackageResources.index_html,
        "live.js": PackageResources.live_js,
        "records.js": PackageResources.records_js,
        "ui.js": PackageResources.ui_js,
        "view-actors.js": PackageResources.view_actors_js,
        "view-edit.js": PackageResources.view_edit_js,
        "view-event.js": PackageResources.view_event_js,
        "view-history.js": PackageResources.view_history_js,
        "view-quotes.js": PackageResources.view_quotes_js,
        "view-search.js": PackageResources.view_search_js,
        "view-sources.js": PackageResources.view_sources_js,
        "view-timeline.js": PackageResources.view_timeline_js,
        "vocabulary.js": PackageResources.vocabulary_js,
    ]
}
