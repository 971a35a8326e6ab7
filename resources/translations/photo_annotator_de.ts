<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE" sourcelanguage="en_US">
<context>
    <name>Backend</name>
    <message>
        <source>cannot scan: the catalogue is not open</source>
        <translation>Einlesen nicht möglich: Der Katalog ist nicht geöffnet</translation>
    </message>
</context>
<context>
    <name>BrowseController</name>
    <message>
        <source>No photos yet.

Add a folder of photos: File &gt; Add Folder… (Ctrl+O)</source>
        <translation>Noch keine Fotos.

Fügen Sie einen Ordner mit Fotos hinzu: Datei &gt; Ordner hinzufügen… (Strg+O)</translation>
    </message>
    <message>
        <source>No photos to show here.

Choose another filter, search or folder.</source>
        <translation>Hier gibt es keine Fotos anzuzeigen.

Wählen Sie einen anderen Filter, eine andere Suche oder einen anderen Ordner.</translation>
    </message>
    <message>
        <source>No photo after this one needs review in this view</source>
        <translation>Nach diesem Foto muss in dieser Ansicht keines mehr geprüft werden</translation>
    </message>
    <message>
        <source>This is the last readable photo in this view</source>
        <translation>Dies ist das letzte lesbare Foto in dieser Ansicht</translation>
    </message>
    <message>
        <source>{photos} found</source>
        <translation>{photos} gefunden</translation>
    </message>
    <message>
        <source>{name}, photo {number} of {total}</source>
        <translation>{name}, Foto {number} von {total}</translation>
    </message>
    <message>
        <source>No library</source>
        <translation>Keine Bibliothek</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>{shown} of {photos}</source>
        <translation>{shown} von {photos}</translation>
    </message>
    <message>
        <source>keyword “{keyword}”</source>
        <translation>Schlagwort „{keyword}“</translation>
    </message>
    <message>
        <source>keyword “{keyword}”, {state}</source>
        <translation>Schlagwort „{keyword}“, {state}</translation>
    </message>
    <message>
        <source>keywords {state}</source>
        <translation>Schlagwörter {state}</translation>
    </message>
    <message>
        <source>{count} cannot be read</source>
        <translation>{count} nicht lesbar</translation>
    </message>
    <message>
        <source>{count} missing</source>
        <translation>{count} fehlend</translation>
    </message>
    <message>
        <source>searching by meaning…</source>
        <translation>Suche nach Bedeutung läuft…</translation>
    </message>
    <message>
        <source>updating…</source>
        <translation>wird aktualisiert…</translation>
    </message>
</context>
<context>
    <name>CaptionCards</name>
    <message>
        <source>No captions yet.</source>
        <translation>Noch keine Bildunterschriften.</translation>
    </message>
    <message>
        <source>Current</source>
        <translation>Aktuell</translation>
    </message>
    <message>
        <source>Use This Caption</source>
        <translation>Diese Bildunterschrift verwenden</translation>
    </message>
    <message>
        <source>Make this the photo&apos;s current caption: the one search, exports and the files&apos; metadata use. The current one stays, with its history.</source>
        <translation>Macht diese zur aktuellen Bildunterschrift des Fotos: der, die Suche, Exporte und die Metadaten der Dateien verwenden. Die bisherige bleibt mit ihrem Verlauf erhalten.</translation>
    </message>
    <message>
        <source>by {author}</source>
        <translation>von {author}</translation>
    </message>
    <message numerus="yes">
        <source>%Ln revision(s)</source>
        <translation>
            <numerusform>%Ln Version</numerusform>
            <numerusform>%Ln Versionen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>CaptionController</name>
    <message>
        <source>No captioner is installed: see photo-annotator plugins</source>
        <translation>Kein Beschriftungsmodul installiert: siehe photo-annotator plugins</translation>
    </message>
    <message>
        <source>Not queued: the disclaimer was not acknowledged</source>
        <translation>Nicht eingereiht: Der Hinweis wurde nicht bestätigt</translation>
    </message>
</context>
<context>
    <name>CaptionDialog</name>
    <message>
        <source>Photo captions</source>
        <translation>Bildunterschriften für Fotos</translation>
    </message>
    <message>
        <source>Product descriptions for shop listings</source>
        <translation>Produktbeschreibungen für Shop-Angebote</translation>
    </message>
    <message>
        <source>Medical report drafts, for research only</source>
        <translation>Entwürfe medizinischer Befunde, nur für die Forschung</translation>
    </message>
    <message>
        <source>Caption photos</source>
        <translation>Fotos beschriften</translation>
    </message>
    <message>
        <source>Captioner</source>
        <translation>Beschriftungsmodul</translation>
    </message>
    <message>
        <source>Captioner:</source>
        <translation>Beschriftungsmodul:</translation>
    </message>
    <message>
        <source>Writes:</source>
        <translation>Schreibt:</translation>
    </message>
    <message>
        <source>A model on the Hugging Face hub (org/name) or a local model folder</source>
        <translation>Ein Modell auf dem Hugging Face Hub (Organisation/Name) oder ein lokaler Modellordner</translation>
    </message>
    <message>
        <source>Use a model folder on this computer</source>
        <translation>Einen Modellordner auf diesem Computer verwenden</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>Modell:</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Optionen</translation>
    </message>
    <message>
        <source>No captioner is installed.</source>
        <translation>Kein Beschriftungsmodul installiert.</translation>
    </message>
    <message>
        <source>Select photos, or open a library or folder, to caption.</source>
        <translation>Wählen Sie Fotos aus oder öffnen Sie eine Bibliothek oder einen Ordner, um zu beschriften.</translation>
    </message>
    <message>
        <source>Before this job is queued you will be asked to acknowledge that its reports are AI drafts for research, not for diagnosis.</source>
        <translation>Bevor dieser Auftrag eingereiht wird, werden Sie gebeten zu bestätigen, dass seine Befunde KI-Entwürfe für die Forschung sind, nicht für die Diagnose.</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>Automatisch</translation>
    </message>
    <message>
        <source>Choose a model folder</source>
        <translation>Modellordner wählen</translation>
    </message>
</context>
<context>
    <name>CaptionEditor</name>
    <message>
        <source>Caption</source>
        <translation>Bildunterschrift</translation>
    </message>
    <message>
        <source>Write a caption…</source>
        <translation>Bildunterschrift schreiben…</translation>
    </message>
    <message>
        <source>Alt text</source>
        <translation>Alternativtext</translation>
    </message>
    <message>
        <source>Write alt text: what the photo shows, the subject first…</source>
        <translation>Alternativtext schreiben: was das Foto zeigt, das Motiv zuerst…</translation>
    </message>
    <message>
        <source>Extended description</source>
        <translation>Erweiterte Beschreibung</translation>
    </message>
    <message>
        <source>Write an extended description…</source>
        <translation>Erweiterte Beschreibung schreiben…</translation>
    </message>
    <message>
        <source>Check before approving: {reason}</source>
        <translation>Vor dem Freigeben prüfen: {reason}</translation>
    </message>
    <message>
        <source>The model was unsure of this word ({percent} probability)</source>
        <translation>Das Modell war sich bei diesem Wort unsicher ({percent} Wahrscheinlichkeit)</translation>
    </message>
</context>
<context>
    <name>CaptionStyle</name>
    <message>
        <source>AI</source>
        <translation>KI</translation>
    </message>
    <message>
        <source>Human</source>
        <translation>Mensch</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>Importiert</translation>
    </message>
    <message>
        <source>Draft</source>
        <translation>Entwurf</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Freigegeben</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>{percent} confident</source>
        <translation>{percent} sicher</translation>
    </message>
</context>
<context>
    <name>CatalogueWorker</name>
    <message>
        <source>cannot list the photos</source>
        <translation>Fotos können nicht aufgelistet werden</translation>
    </message>
</context>
<context>
    <name>ClusterSettings</name>
    <message>
        <source>In the app</source>
        <translation>In der App</translation>
    </message>
    <message>
        <source>This machine through Ray (every GPU)</source>
        <translation>Dieser Rechner über Ray (jede GPU)</translation>
    </message>
    <message>
        <source>The cluster this machine belongs to</source>
        <translation>Der Cluster, zu dem dieser Rechner gehört</translation>
    </message>
    <message>
        <source>A cluster&apos;s head:</source>
        <translation>Kopfknoten eines Clusters:</translation>
    </message>
    <message>
        <source>ray://HOST:PORT</source>
        <translation>ray://HOST:PORT</translation>
    </message>
    <message>
        <source>Address of the cluster&apos;s head</source>
        <translation>Adresse des Kopfknotens des Clusters</translation>
    </message>
    <message>
        <source>Automatic</source>
        <translation>Automatisch</translation>
    </message>
    <message>
        <source>Ray is not installed, so caption jobs run in the app. To use a cluster: pip install &apos;photo-annotator[cluster]&apos;</source>
        <translation>Ray ist nicht installiert, daher laufen Beschriftungsaufträge in der App. Für einen Cluster: pip install &apos;photo-annotator[cluster]&apos;</translation>
    </message>
    <message>
        <source>Joins the Ray cluster started on this machine with ray start, or the one RAY_ADDRESS names.</source>
        <translation>Tritt dem Ray-Cluster bei, der auf diesem Rechner mit ray start gestartet wurde, oder dem, den RAY_ADDRESS nennt.</translation>
    </message>
    <message>
        <source>Captioner actors:</source>
        <translation>Beschriftungs-Actors:</translation>
    </message>
    <message>
        <source>Automatic: one per GPU of the cluster, or one using every core of a cluster without GPUs. Keyword suggestions and fine-tuning always run in the app.</source>
        <translation>Automatisch: einer pro GPU des Clusters, oder einer mit allen Kernen eines Clusters ohne GPUs. Schlagwortvorschläge und Nachtrainieren laufen immer in der App.</translation>
    </message>
    <message>
        <source>type the address of the cluster&apos;s head: ray://HOST:PORT</source>
        <translation>Geben Sie die Adresse des Kopfknotens ein: ray://HOST:PORT</translation>
    </message>
    <message>
        <source>&apos;{address}&apos; is not a cluster head&apos;s address: use ray://HOST:PORT, such as ray://head:10001</source>
        <translation>„{address}“ ist keine Adresse eines Kopfknotens: Verwenden Sie ray://HOST:PORT, etwa ray://head:10001</translation>
    </message>
</context>
<context>
    <name>Counts</name>
    <message numerus="yes">
        <source>%Ln photo(s)</source>
        <translation>
            <numerusform>%Ln Foto</numerusform>
            <numerusform>%Ln Fotos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln file(s)</source>
        <translation>
            <numerusform>%Ln Datei</numerusform>
            <numerusform>%Ln Dateien</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln caption(s)</source>
        <translation>
            <numerusform>%Ln Bildunterschrift</numerusform>
            <numerusform>%Ln Bildunterschriften</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln folder(s)</source>
        <translation>
            <numerusform>%Ln Ordner</numerusform>
            <numerusform>%Ln Ordner</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln failure(s)</source>
        <translation>
            <numerusform>%Ln Fehlschlag</numerusform>
            <numerusform>%Ln Fehlschläge</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln actor(s)</source>
        <translation>
            <numerusform>%Ln Actor</numerusform>
            <numerusform>%Ln Actors</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>DetailPane</name>
    <message>
        <source>ALT</source>
        <translation>ALT</translation>
    </message>
    <message>
        <source>Alt text approved</source>
        <translation>Alternativtext freigegeben</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>Captions</source>
        <translation>Bildunterschriften</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Verlauf</translation>
    </message>
    <message>
        <source>No photo selected</source>
        <translation>Kein Foto ausgewählt</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>This file cannot be shown:
{reason}</source>
        <translation>Diese Datei kann nicht angezeigt werden:
{reason}</translation>
    </message>
    <message>
        <source>unknown error</source>
        <translation>unbekannter Fehler</translation>
    </message>
    <message>
        <source>The file is missing</source>
        <translation>Die Datei fehlt</translation>
    </message>
    <message>
        <source>No text yet</source>
        <translation>Noch kein Text</translation>
    </message>
    <message>
        <source>Approved alt text: {text}</source>
        <translation>Freigegebener Alternativtext: {text}</translation>
    </message>
    <message>
        <source>Title: {text}</source>
        <translation>Titel: {text}</translation>
    </message>
    <message>
        <source>Headline: {text}</source>
        <translation>Überschrift: {text}</translation>
    </message>
    <message>
        <source>Cannot show a preview:
{reason}</source>
        <translation>Keine Vorschau möglich:
{reason}</translation>
    </message>
    <message>
        <source>this file cannot be read: {reason}</source>
        <translation>diese Datei ist nicht lesbar: {reason}</translation>
    </message>
    <message>
        <source>file missing: it is no longer at this path</source>
        <translation>Datei fehlt: Sie liegt nicht mehr unter diesem Pfad</translation>
    </message>
</context>
<context>
    <name>DisclaimerDialog</name>
    <message>
        <source>Before using {captioner}</source>
        <translation>Vor der Verwendung von {captioner}</translation>
    </message>
    <message>
        <source>{captioner} writes drafts, not diagnoses</source>
        <translation>{captioner} schreibt Entwürfe, keine Diagnosen</translation>
    </message>
    <message>
        <source>Every report it writes is stored with this notice and shown with it, in the app and on the command line. Confirm that you have read it to go on; you are asked once.</source>
        <translation>Jeder Befund, den es schreibt, wird mit diesem Hinweis gespeichert und mit ihm angezeigt, in der App und auf der Befehlszeile. Bestätigen Sie, dass Sie ihn gelesen haben, um fortzufahren; Sie werden nur einmal gefragt.</translation>
    </message>
    <message>
        <source>I understand</source>
        <translation>Verstanden</translation>
    </message>
</context>
<context>
    <name>ExportDialog</name>
    <message>
        <source>CSV (spreadsheets)</source>
        <translation>CSV (Tabellenkalkulation)</translation>
    </message>
    <message>
        <source>JSON Lines</source>
        <translation>JSON Lines</translation>
    </message>
    <message>
        <source>COCO captions JSON</source>
        <translation>COCO-Captions-JSON</translation>
    </message>
    <message>
        <source>Hugging Face imagefolder (a fine-tuning set)</source>
        <translation>Hugging Face imagefolder (ein Trainingsdatensatz)</translation>
    </message>
    <message>
        <source>Export captions</source>
        <translation>Bildunterschriften exportieren</translation>
    </message>
    <message>
        <source>Format:</source>
        <translation>Format:</translation>
    </message>
    <message>
        <source>Approved captions only</source>
        <translation>Nur freigegebene Bildunterschriften</translation>
    </message>
    <message>
        <source>Save to:</source>
        <translation>Speichern unter:</translation>
    </message>
    <message>
        <source>Replace it if it exists</source>
        <translation>Ersetzen, falls vorhanden</translation>
    </message>
    <message>
        <source>Link the photos instead of copying them (no extra space)</source>
        <translation>Fotos verknüpfen statt kopieren (kein zusätzlicher Speicherplatz)</translation>
    </message>
    <message>
        <source>A linked photo is the library&apos;s own file: editing the exported image in place edits the library photo. Copies are safe to edit.</source>
        <translation>Ein verknüpftes Foto ist die Datei der Bibliothek selbst: Wer das exportierte Bild an Ort und Stelle bearbeitet, bearbeitet das Foto der Bibliothek. Kopien können gefahrlos bearbeitet werden.</translation>
    </message>
    <message>
        <source>Medical report drafts carry their disclaimer in every format.</source>
        <translation>Entwürfe medizinischer Befunde tragen ihren Hinweis in jedem Format.</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
    <message>
        <source>Export the dataset into</source>
        <translation>Datensatz exportieren nach</translation>
    </message>
    <message>
        <source>Export captions to</source>
        <translation>Bildunterschriften exportieren nach</translation>
    </message>
</context>
<context>
    <name>FileTaskController</name>
    <message>
        <source>What would change</source>
        <translation>Was sich ändern würde</translation>
    </message>
    <message>
        <source>Captions written to files</source>
        <translation>In Dateien geschriebene Bildunterschriften</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>(keine)</translation>
    </message>
    <message>
        <source>Checking what would change…</source>
        <translation>Es wird geprüft, was sich ändern würde…</translation>
    </message>
    <message>
        <source>Writing captions to files…</source>
        <translation>Bildunterschriften werden in die Dateien geschrieben…</translation>
    </message>
    <message>
        <source>Exporting captions to {path}…</source>
        <translation>Bildunterschriften werden nach {path} exportiert…</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportieren</translation>
    </message>
</context>
<context>
    <name>FileTaskWorker</name>
    <message>
        <source>the catalogue is not open</source>
        <translation>der Katalog ist nicht geöffnet</translation>
    </message>
</context>
<context>
    <name>FineTuneController</name>
    <message>
        <source>Editors approved {count} captions of {captioner} since its last fine-tune: fine-tuning it again teaches it their corrections.</source>
        <translation>Seit dem letzten Feintuning wurden {count} Bildunterschriften von {captioner} freigegeben: Ein erneutes Feintuning bringt ihm diese Korrekturen bei.</translation>
    </message>
    <message>
        <source>Editors approved {count} captions of {captioner}: fine-tuning it on them teaches it your collection&apos;s words.</source>
        <translation>Es wurden {count} Bildunterschriften von {captioner} freigegeben: Ein Feintuning damit bringt ihm die Begriffe Ihrer Sammlung bei.</translation>
    </message>
    <message>
        <source>Fine-tune…</source>
        <translation>Feintuning…</translation>
    </message>
    <message>
        <source>The fine-tuned model was not evaluated: {reason}</source>
        <translation>Das feinabgestimmte Modell wurde nicht bewertet: {reason}</translation>
    </message>
    <message>
        <source>{captioner} now captions with {model}</source>
        <translation>{captioner} beschriftet jetzt mit {model}</translation>
    </message>
</context>
<context>
    <name>FlagConfirmDialog</name>
    <message>
        <source>“{words}”: {reason}</source>
        <translation>„{words}“: {reason}</translation>
    </message>
    <message>
        <source>⚑ Flags confirmed by an editor: {words}</source>
        <translation>⚑ Markierungen von einer Redakteurin oder einem Redakteur bestätigt: {words}</translation>
    </message>
    <message>
        <source>⚑ Check before approving: {words} (hover a marked word for why)</source>
        <translation>⚑ Vor dem Freigeben prüfen: {words} (die Begründung erscheint über dem markierten Wort)</translation>
    </message>
    <message>
        <source>Approve a flagged caption?</source>
        <translation>Markierte Bildbeschreibung freigeben?</translation>
    </message>
    <message>
        <source>This caption has words flagged for a second look. Approve it only if they are right for this photo; you are asked once for this text.</source>
        <translation>In dieser Bildbeschreibung sind Wörter zur Prüfung markiert. Geben Sie sie nur frei, wenn diese Wörter für dieses Foto stimmen; Sie werden für diesen Text nur einmal gefragt.</translation>
    </message>
    <message>
        <source>Flagged words</source>
        <translation>Markierte Wörter</translation>
    </message>
    <message>
        <source>&amp;Reason (optional, kept in the history):</source>
        <translation>&amp;Begründung (optional, wird im Verlauf gespeichert):</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Begründung</translation>
    </message>
    <message>
        <source>e.g. the sitter told us</source>
        <translation>z. B. von der abgebildeten Person bestätigt</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Freigeben</translation>
    </message>
</context>
<context>
    <name>FullPreview</name>
    <message>
        <source>Full-window preview</source>
        <translation>Fenstergroße Vorschau</translation>
    </message>
    <message>
        <source>Left and Right arrows: previous and next photo; Home and End: first and last; Ctrl+Enter approves, Ctrl+Shift+Backspace rejects; Esc returns to the grid</source>
        <translation>Pfeil links und rechts: vorheriges und nächstes Foto; Pos1 und Ende: erstes und letztes; Strg+Eingabe gibt frei, Strg+Umschalt+Rücktaste lehnt ab; Esc kehrt zum Raster zurück</translation>
    </message>
    <message>
        <source>Back to the grid at this photo (Esc)</source>
        <translation>Zurück zum Raster bei diesem Foto (Esc)</translation>
    </message>
    <message>
        <source>Next Photo</source>
        <translation>Nächstes Foto</translation>
    </message>
    <message>
        <source>Previous Photo</source>
        <translation>Vorheriges Foto</translation>
    </message>
    <message>
        <source>First Photo</source>
        <translation>Erstes Foto</translation>
    </message>
    <message>
        <source>Last Photo</source>
        <translation>Letztes Foto</translation>
    </message>
    <message>
        <source>Back to the Grid</source>
        <translation>Zurück zum Raster</translation>
    </message>
    <message>
        <source>No photo to show. Esc returns to the grid.</source>
        <translation>Kein Foto anzuzeigen. Esc kehrt zum Raster zurück.</translation>
    </message>
    <message>
        <source>{position} of {count}</source>
        <translation>{position} von {count}</translation>
    </message>
    <message>
        <source>This file cannot be read: {reason}</source>
        <translation>Diese Datei ist nicht lesbar: {reason}</translation>
    </message>
    <message>
        <source>The file is missing</source>
        <translation>Die Datei fehlt</translation>
    </message>
    <message>
        <source>No caption</source>
        <translation>Keine Bildunterschrift</translation>
    </message>
</context>
<context>
    <name>GridHeader</name>
    <message>
        <source>All photos</source>
        <translation>Alle Fotos</translation>
    </message>
    <message>
        <source>Needs review</source>
        <translation>Zu prüfen</translation>
    </message>
    <message>
        <source>AI drafts</source>
        <translation>KI-Entwürfe</translation>
    </message>
    <message>
        <source>Flagged</source>
        <translation>Markiert</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Freigegeben</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Edited by a person</source>
        <translation>Von Hand bearbeitet</translation>
    </message>
    <message>
        <source>No caption</source>
        <translation>Unbeschriftet</translation>
    </message>
    <message>
        <source>Cannot be read</source>
        <translation>Nicht lesbar</translation>
    </message>
    <message>
        <source>Missing</source>
        <translation>Fehlt</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>Date taken</source>
        <translation>Aufnahmedatum</translation>
    </message>
    <message>
        <source>Confidence</source>
        <translation>Konfidenz</translation>
    </message>
    <message>
        <source>Last changed</source>
        <translation>Zuletzt geändert</translation>
    </message>
    <message>
        <source>Best match</source>
        <translation>Beste Treffer</translation>
    </message>
    <message>
        <source>All captioners</source>
        <translation>Alle Module</translation>
    </message>
    <message>
        <source>Busy</source>
        <translation>Beschäftigt</translation>
    </message>
    <message>
        <source>The photos shown are being listed or searched again</source>
        <translation>Die angezeigten Fotos werden neu aufgelistet oder durchsucht</translation>
    </message>
    <message>
        <source>Which photos to show</source>
        <translation>Welche Fotos angezeigt werden</translation>
    </message>
    <message>
        <source>Only photos whose current caption this captioner wrote</source>
        <translation>Nur Fotos, deren aktuelle Bildunterschrift dieses Beschriftungsmodul geschrieben hat</translation>
    </message>
    <message>
        <source>Sort:</source>
        <translation>Sortieren:</translation>
    </message>
    <message>
        <source>Ascending; click for descending</source>
        <translation>Aufsteigend; klicken für absteigend</translation>
    </message>
    <message>
        <source>Review filter</source>
        <translation>Prüffilter</translation>
    </message>
    <message>
        <source>Captioner filter</source>
        <translation>Filter nach Beschriftungsmodul</translation>
    </message>
    <message>
        <source>Sort by</source>
        <translation>Sortieren nach</translation>
    </message>
    <message>
        <source>Sort descending</source>
        <translation>Absteigend sortieren</translation>
    </message>
    <message>
        <source>Descending; click for ascending</source>
        <translation>Absteigend; klicken für aufsteigend</translation>
    </message>
</context>
<context>
    <name>ImportController</name>
    <message>
        <source>Choose a library to paste into first</source>
        <translation>Wählen Sie zuerst eine Bibliothek, in die eingefügt werden soll</translation>
    </message>
    <message>
        <source>The clipboard holds no image, web address or photo file to paste</source>
        <translation>Die Zwischenablage enthält kein Bild, keine Webadresse und keine Fotodatei zum Einfügen</translation>
    </message>
    <message>
        <source>This catalogue is read-only: no photos can be added</source>
        <translation>Dieser Katalog ist schreibgeschützt: Es können keine Fotos hinzugefügt werden</translation>
    </message>
    <message>
        <source>Importing {count}…</source>
        <translation>{count} werden importiert …</translation>
    </message>
    <message>
        <source>the pasted image</source>
        <translation>das eingefügte Bild</translation>
    </message>
    <message>
        <source>Not imported: {source}: {reason}</source>
        <translation>Nicht importiert: {source}: {reason}</translation>
    </message>
    <message>
        <source>Imported {done} of {total}: {source}</source>
        <translation>{done} von {total} importiert: {source}</translation>
    </message>
    <message>
        <source>Imported {photos} into {folder}</source>
        <translation>{photos} in {folder} importiert</translation>
    </message>
    <message>
        <source>; {count} not imported</source>
        <translation>; {count} nicht importiert</translation>
    </message>
</context>
<context>
    <name>ImportSettingsPage</name>
    <message>
        <source>Allow private and local network addresses</source>
        <translation>Private und lokale Netzwerkadressen erlauben</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Do not caption</source>
        <translation>Nicht beschriften</translation>
    </message>
    <message>
        <source>For a collection system on your own network. Addresses on this computer and private networks are refused otherwise, so that a web address cannot reach them.</source>
        <translation>Für ein Sammlungssystem im eigenen Netzwerk. Sonst werden Adressen dieses Computers und privater Netzwerke abgelehnt, damit eine Webadresse sie nicht erreichen kann.</translation>
    </message>
    <message>
        <source>Largest download:</source>
        <translation>Größter Download:</translation>
    </message>
    <message>
        <source>Time-out:</source>
        <translation>Zeitlimit:</translation>
    </message>
    <message>
        <source>To connect, and between two parts of a download; the whole download may take ten times as long.</source>
        <translation>Für den Verbindungsaufbau und zwischen zwei Teilen eines Downloads; der ganze Download darf zehnmal so lange dauern.</translation>
    </message>
    <message>
        <source>Caption new photos with:</source>
        <translation>Neue Fotos beschriften mit:</translation>
    </message>
    <message>
        <source>Photos dropped on a library or pasted are captioned as a job, with the model chosen for that captioner.</source>
        <translation>Auf eine Bibliothek gezogene oder eingefügte Fotos werden als Auftrag beschriftet, mit dem für diesen Beschrifter gewählten Modell.</translation>
    </message>
</context>
<context>
    <name>InferenceService</name>
    <message>
        <source>cannot queue the job: the {captioner} captioner&apos;s disclaimer must be acknowledged first</source>
        <translation>Auftrag kann nicht eingereiht werden: Der Hinweis des Beschriftungsmoduls {captioner} muss zuerst bestätigt werden</translation>
    </message>
</context>
<context>
    <name>InferenceWorker</name>
    <message>
        <source>caption jobs run in the app</source>
        <translation>Beschriftungsaufträge laufen in der App</translation>
    </message>
    <message>
        <source>the job queue could not be read when the catalogue opened</source>
        <translation>die Auftragswarteschlange konnte beim Öffnen des Katalogs nicht gelesen werden</translation>
    </message>
    <message>
        <source>the captioning job stopped</source>
        <translation>der Beschriftungsauftrag wurde abgebrochen</translation>
    </message>
    <message>
        <source>cannot read the job queue</source>
        <translation>Auftragswarteschlange kann nicht gelesen werden</translation>
    </message>
    <message>
        <source>cannot apply the new settings</source>
        <translation>die neuen Einstellungen können nicht übernommen werden</translation>
    </message>
</context>
<context>
    <name>JobPanel</name>
    <message>
        <source>Queued</source>
        <translation>Eingereiht</translation>
    </message>
    <message>
        <source>Running</source>
        <translation>Läuft</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Angehalten</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>Failed</source>
        <translation>Fehlgeschlagen</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Abgebrochen</translation>
    </message>
    <message>
        <source>Captioning jobs</source>
        <translation>Beschriftungsaufträge</translation>
    </message>
    <message>
        <source>Caption photos…</source>
        <translation>Fotos beschriften…</translation>
    </message>
    <message>
        <source>Choose a captioner, a model and the photos, and queue a job</source>
        <translation>Beschriftungsmodul, Modell und Fotos wählen und einen Auftrag einreihen</translation>
    </message>
    <message>
        <source>No captioning jobs yet. Select photos or a folder and press “Caption photos…”.</source>
        <translation>Noch keine Beschriftungsaufträge. Wählen Sie Fotos oder einen Ordner aus und drücken Sie „Fotos beschriften…“.</translation>
    </message>
    <message>
        <source>Photos that failed</source>
        <translation>Fehlgeschlagene Fotos</translation>
    </message>
    <message>
        <source>Photo</source>
        <translation>Foto</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>captioning</source>
        <translation>Beschriftung</translation>
    </message>
    <message>
        <source>Job {job} · fine-tuning {captioner}</source>
        <translation>Auftrag {job} · {captioner} nachtrainieren</translation>
    </message>
    <message>
        <source>Job {job} · suggesting keywords with {captioner}</source>
        <translation>Auftrag {job} · Schlagwörter vorschlagen mit {captioner}</translation>
    </message>
    <message>
        <source>Job {job} · {captioner}</source>
        <translation>Auftrag {job} · {captioner}</translation>
    </message>
    <message>
        <source>Pausing…</source>
        <translation>Wird angehalten…</translation>
    </message>
    <message>
        <source>Queued · queue paused</source>
        <translation>Eingereiht · Warteschlange angehalten</translation>
    </message>
    <message>
        <source>Watching · waiting for photos</source>
        <translation>Überwacht · wartet auf Fotos</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <source>Pause captioning: the model stops within a second, and jobs waiting in the queue wait too</source>
        <translation>Beschriftung anhalten: Das Modell stoppt innerhalb einer Sekunde, und wartende Aufträge warten ebenfalls</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
    <message>
        <source>Go on captioning where this job stopped</source>
        <translation>Die Beschriftung dort fortsetzen, wo dieser Auftrag stehen geblieben ist</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <source>Run this job again; photos already captioned are kept</source>
        <translation>Diesen Auftrag erneut ausführen; bereits beschriftete Fotos bleiben erhalten</translation>
    </message>
    <message>
        <source>{done}/{total} · starting on the cluster…</source>
        <translation>{done}/{total} · startet auf dem Cluster…</translation>
    </message>
    <message>
        <source>{done}/{total} · loading the model…</source>
        <translation>{done}/{total} · Modell wird geladen…</translation>
    </message>
    <message>
        <source>waiting</source>
        <translation>wartet</translation>
    </message>
    <message>
        <source>{done} of {photos} tagged</source>
        <translation>{done} von {photos} verschlagwortet</translation>
    </message>
    <message>
        <source>{done} of {photos} captioned</source>
        <translation>{done} von {photos} beschriftet</translation>
    </message>
    <message>
        <source>{count} skipped</source>
        <translation>{count} übersprungen</translation>
    </message>
    <message>
        <source>runs on a cluster</source>
        <translation>läuft auf einem Cluster</translation>
    </message>
    <message>
        <source>new photos of library {library} are added</source>
        <translation>neue Fotos der Bibliothek {library} kommen hinzu</translation>
    </message>
    <message>
        <source>Model: {model}</source>
        <translation>Modell: {model}</translation>
    </message>
    <message>
        <source>the default for this captioner</source>
        <translation>das Standardmodell dieses Beschriftungsmoduls</translation>
    </message>
    <message>
        <source>Queued: {time}</source>
        <translation>Eingereiht: {time}</translation>
    </message>
    <message>
        <source>Finished: {time}</source>
        <translation>Beendet: {time}</translation>
    </message>
    <message>
        <source>Note: {notice}</source>
        <translation>Hinweis: {notice}</translation>
    </message>
    <message>
        <source>Error: {error}</source>
        <translation>Fehler: {error}</translation>
    </message>
    <message>
        <source>Failures</source>
        <translation>Fehlschläge</translation>
    </message>
    <message>
        <source>Job {job}: {photos} could not be captioned</source>
        <translation>Auftrag {job}: Beschriftung fehlgeschlagen bei {photos}</translation>
    </message>
    <message>
        <source>Job {job}: no failures</source>
        <translation>Auftrag {job}: keine Fehlschläge</translation>
    </message>
</context>
<context>
    <name>JobRow</name>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Cancel this job; captions already made are kept</source>
        <translation>Diesen Auftrag abbrechen; bereits erstellte Bildunterschriften bleiben erhalten</translation>
    </message>
</context>
<context>
    <name>JobStatus</name>
    <message>
        <source>{seconds} s</source>
        <translation>{seconds} s</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes} min</translation>
    </message>
    <message>
        <source>{hours} h {minutes} min</source>
        <translation>{hours} h {minutes} min</translation>
    </message>
    <message>
        <source>step {done}/{total}</source>
        <translation>Schritt {done}/{total}</translation>
    </message>
    <message>
        <source>{rate} steps/s</source>
        <translation>{rate} Schritte/s</translation>
    </message>
    <message>
        <source>{rate} photos/s</source>
        <translation>{rate} Fotos/s</translation>
    </message>
    <message>
        <source>about {time} left</source>
        <translation>noch etwa {time}</translation>
    </message>
    <message>
        <source>Fine-tuning (job {job}): {progress}</source>
        <translation>Nachtrainieren (Auftrag {job}): {progress}</translation>
    </message>
    <message>
        <source>Suggesting keywords (job {job}): {progress}</source>
        <translation>Schlagwörter vorschlagen (Auftrag {job}): {progress}</translation>
    </message>
    <message>
        <source>Captioning (job {job}): {progress}</source>
        <translation>Beschriftung (Auftrag {job}): {progress}</translation>
    </message>
    <message>
        <source>Job {job} failed: {reason}</source>
        <translation>Auftrag {job} fehlgeschlagen: {reason}</translation>
    </message>
    <message>
        <source>Job {job} done: {notice}</source>
        <translation>Auftrag {job} fertig: {notice}</translation>
    </message>
    <message>
        <source>Job {job} done</source>
        <translation>Auftrag {job} fertig</translation>
    </message>
    <message>
        <source>Job {job} paused: its checkpoint is kept; resume it to go on</source>
        <translation>Auftrag {job} angehalten: Sein Zwischenstand bleibt erhalten; setzen Sie ihn fort, um weiterzumachen</translation>
    </message>
    <message>
        <source>Job {job} cancelled: its checkpoint is kept; resume it to go on</source>
        <translation>Auftrag {job} abgebrochen: Sein Zwischenstand bleibt erhalten; setzen Sie ihn fort, um weiterzumachen</translation>
    </message>
    <message>
        <source>Job {job} waiting for photos: {done} of {total} done</source>
        <translation>Auftrag {job} wartet auf Fotos: {done} von {total} erledigt</translation>
    </message>
    <message>
        <source>Job {job} paused: {done} of {total} captioned</source>
        <translation>Auftrag {job} angehalten: {done} von {total} beschriftet</translation>
    </message>
    <message>
        <source>Job {job} cancelled: {done} of {total} captioned</source>
        <translation>Auftrag {job} abgebrochen: {done} von {total} beschriftet</translation>
    </message>
    <message>
        <source>Job {job} done: {done} of {total} captioned, {photos} could not be captioned</source>
        <translation>Auftrag {job} fertig: {done} von {total} beschriftet, Beschriftung fehlgeschlagen bei {photos}</translation>
    </message>
    <message>
        <source>Job {job} done: {done} of {total} captioned</source>
        <translation>Auftrag {job} fertig: {done} von {total} beschriftet</translation>
    </message>
    <message>
        <source>Job {job} paused: keywords suggested for {done} of {total} photos</source>
        <translation>Auftrag {job} angehalten: Schlagwörter für {done} von {total} Fotos vorgeschlagen</translation>
    </message>
    <message>
        <source>Job {job} cancelled: keywords suggested for {done} of {total} photos</source>
        <translation>Auftrag {job} abgebrochen: Schlagwörter für {done} von {total} Fotos vorgeschlagen</translation>
    </message>
    <message>
        <source>Job {job} done: keywords suggested for {done} of {total} photos, {photos} could not be read</source>
        <translation>Auftrag {job} fertig: Schlagwörter für {done} von {total} Fotos vorgeschlagen, {photos} nicht lesbar</translation>
    </message>
    <message>
        <source>Job {job} done: keywords suggested for {done} of {total} photos</source>
        <translation>Auftrag {job} fertig: Schlagwörter für {done} von {total} Fotos vorgeschlagen</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Anhalten</translation>
    </message>
    <message>
        <source>Pause captioning (the GPU is free within a second)</source>
        <translation>Beschriftung anhalten (die GPU ist innerhalb einer Sekunde frei)</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Cancel this job; captions already made are kept</source>
        <translation>Diesen Auftrag abbrechen; bereits erstellte Bildunterschriften bleiben erhalten</translation>
    </message>
    <message>
        <source>Fine-tuning (job {job}): loading the model…</source>
        <translation>Nachtrainieren (Auftrag {job}): Modell wird geladen…</translation>
    </message>
    <message>
        <source>Suggesting keywords (job {job}): loading the model…</source>
        <translation>Schlagwörter vorschlagen (Auftrag {job}): Modell wird geladen…</translation>
    </message>
    <message>
        <source>Captioning (job {job}): starting on the cluster…</source>
        <translation>Beschriftung (Auftrag {job}): startet auf dem Cluster…</translation>
    </message>
    <message>
        <source>Captioning (job {job}): loading the model…</source>
        <translation>Beschriftung (Auftrag {job}): Modell wird geladen…</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsetzen</translation>
    </message>
</context>
<context>
    <name>KeywordBox</name>
    <message>
        <source>Keywords</source>
        <translation>Schlagwörter</translation>
    </message>
    <message>
        <source>No keywords yet: type one below.</source>
        <translation>Noch keine Schlagwörter: unten eines eingeben.</translation>
    </message>
    <message>
        <source>Keywords of this photo</source>
        <translation>Schlagwörter dieses Fotos</translation>
    </message>
    <message>
        <source>Add a keyword</source>
        <translation>Schlagwort hinzufügen</translation>
    </message>
    <message>
        <source>K accept · Shift+K reject · Ctrl+Shift+K accept all · Delete remove · Ctrl+K add a keyword</source>
        <translation>K annehmen · Umschalt+K ablehnen · Strg+Umschalt+K alle annehmen · Entf entfernen · Strg+K Schlagwort hinzufügen</translation>
    </message>
    <message>
        <source>Accept Keyword</source>
        <translation>Schlagwort annehmen</translation>
    </message>
    <message>
        <source>Accept the focused keyword suggestion, else the first</source>
        <translation>Den fokussierten Schlagwortvorschlag annehmen, sonst den ersten</translation>
    </message>
    <message>
        <source>Reject Keyword</source>
        <translation>Schlagwort ablehnen</translation>
    </message>
    <message>
        <source>Reject the focused keyword suggestion, else the first</source>
        <translation>Den fokussierten Schlagwortvorschlag ablehnen, sonst den ersten</translation>
    </message>
    <message>
        <source>Accept All Keywords</source>
        <translation>Alle Schlagwörter annehmen</translation>
    </message>
    <message>
        <source>Accept every keyword suggestion shown</source>
        <translation>Jeden angezeigten Schlagwortvorschlag annehmen</translation>
    </message>
    <message>
        <source>Add Keyword</source>
        <translation>Schlagwort hinzufügen</translation>
    </message>
    <message>
        <source>Put the cursor in the keyword entry</source>
        <translation>Den Cursor in das Schlagwortfeld setzen</translation>
    </message>
    <message>
        <source>Add a keyword to {photos}…</source>
        <translation>Schlagwort zu {photos} hinzufügen…</translation>
    </message>
    <message>
        <source>Add a keyword…</source>
        <translation>Schlagwort hinzufügen…</translation>
    </message>
    <message>
        <source>Accept {count} keywords</source>
        <translation>{count} Schlagwörter annehmen</translation>
    </message>
    <message>
        <source>Not applied: {reason}. The keywords now read as shown.</source>
        <translation>Nicht übernommen: {reason}. Die Schlagwörter lauten jetzt wie angezeigt.</translation>
    </message>
    <message>
        <source>“{label}” is in several vocabularies: which one?</source>
        <translation>„{label}“ steht in mehreren Vokabularen: in welchem?</translation>
    </message>
    <message>
        <source>Hide rejected ({count})</source>
        <translation>Abgelehnte ausblenden ({count})</translation>
    </message>
    <message>
        <source>Show rejected ({count})</source>
        <translation>Abgelehnte zeigen ({count})</translation>
    </message>
</context>
<context>
    <name>KeywordChip</name>
    <message>
        <source>accepted</source>
        <translation>angenommen</translation>
    </message>
    <message>
        <source>suggested</source>
        <translation>vorgeschlagen</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>abgelehnt</translation>
    </message>
    <message>
        <source>removed in the file</source>
        <translation>in der Datei entfernt</translation>
    </message>
    <message>
        <source>withdrawn</source>
        <translation>zurückgenommen</translation>
    </message>
    <message>
        <source>? {label}</source>
        <translation>? {label}</translation>
    </message>
    <message>
        <source>? {label} · {percent}</source>
        <translation>? {label} · {percent}</translation>
    </message>
    <message>
        <source>✓ {label} · file</source>
        <translation>✓ {label} · Datei</translation>
    </message>
    <message>
        <source>✓ {label}</source>
        <translation>✓ {label}</translation>
    </message>
    <message>
        <source>{label} · removed in file</source>
        <translation>{label} · in Datei entfernt</translation>
    </message>
    <message>
        <source>✗ {label}</source>
        <translation>✗ {label}</translation>
    </message>
    <message>
        <source>from the file</source>
        <translation>aus der Datei</translation>
    </message>
    <message>
        <source>Vocabulary: {name}</source>
        <translation>Vokabular: {name}</translation>
    </message>
    <message>
        <source>Free keyword</source>
        <translation>Freies Schlagwort</translation>
    </message>
    <message>
        <source>Suggested by {tagger}</source>
        <translation>Vorgeschlagen von {tagger}</translation>
    </message>
    <message>
        <source>Because of: {words}</source>
        <translation>Wegen: {words}</translation>
    </message>
    <message>
        <source>By {author}</source>
        <translation>Von {author}</translation>
    </message>
    <message>
        <source>Accept (K)</source>
        <translation>Annehmen (K)</translation>
    </message>
    <message>
        <source>Reject (Shift+K)</source>
        <translation>Ablehnen (Umschalt+K)</translation>
    </message>
    <message>
        <source>Remove (Delete)</source>
        <translation>Entfernen (Entf)</translation>
    </message>
    <message>
        <source>Add Again</source>
        <translation>Wieder hinzufügen</translation>
    </message>
</context>
<context>
    <name>KeywordController</name>
    <message>
        <source>Showing the photos with the keyword “{keyword}” or a narrower one</source>
        <translation>Gezeigt werden die Fotos mit dem Schlagwort „{keyword}“ oder einem engeren</translation>
    </message>
</context>
<context>
    <name>KeywordEntry</name>
    <message>
        <source>Keyword suggestions</source>
        <translation>Schlagwortvorschläge</translation>
    </message>
</context>
<context>
    <name>KeywordPanel</name>
    <message>
        <source>Accepted keywords</source>
        <translation>Angenommene Schlagwörter</translation>
    </message>
    <message>
        <source>Suggested, to review</source>
        <translation>Vorgeschlagen, zu prüfen</translation>
    </message>
    <message>
        <source>Removed in the file</source>
        <translation>In der Datei entfernt</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Filter keywords</source>
        <translation>Schlagwörter filtern</translation>
    </message>
    <message>
        <source>Show photos with keywords in this state</source>
        <translation>Fotos mit Schlagwörtern in diesem Zustand zeigen</translation>
    </message>
    <message>
        <source>Which of the photos&apos; keywords the chosen keyword is looked for among; without one chosen, photos with any keyword in that state</source>
        <translation>Unter welchen Schlagwörtern der Fotos das gewählte gesucht wird; ohne gewähltes Schlagwort die Fotos mit irgendeinem Schlagwort in diesem Zustand</translation>
    </message>
    <message>
        <source>Keywords and their photo counts</source>
        <translation>Schlagwörter und ihre Fotoanzahl</translation>
    </message>
    <message>
        <source>No keywords yet. Import a vocabulary (photo-annotator vocab import FILE) or type a keyword under a photo.</source>
        <translation>Noch keine Schlagwörter. Importieren Sie ein Vokabular (photo-annotator vocab import DATEI) oder geben Sie unter einem Foto ein Schlagwort ein.</translation>
    </message>
    <message>
        <source>Show All Photos</source>
        <translation>Alle Fotos zeigen</translation>
    </message>
    <message>
        <source>Clear the keyword filter (Esc in the keyword tree)</source>
        <translation>Den Schlagwortfilter aufheben (Esc im Schlagwortbaum)</translation>
    </message>
</context>
<context>
    <name>KeywordService</name>
    <message>
        <source>{change} on {count} photos</source>
        <translation>{change} bei {count} Fotos</translation>
    </message>
    <message>
        <source>Add keyword “{keyword}”</source>
        <translation>Schlagwort „{keyword}“ hinzufügen</translation>
    </message>
    <message>
        <source>Remove keyword “{keyword}”</source>
        <translation>Schlagwort „{keyword}“ entfernen</translation>
    </message>
    <message>
        <source>Accept keyword “{keyword}”</source>
        <translation>Schlagwort „{keyword}“ annehmen</translation>
    </message>
    <message>
        <source>Reject keyword “{keyword}”</source>
        <translation>Schlagwort „{keyword}“ ablehnen</translation>
    </message>
</context>
<context>
    <name>KeywordTreeModel</name>
    <message>
        <source>{label} ({path})</source>
        <translation>{label} ({path})</translation>
    </message>
    <message>
        <source>Vocabulary: {name}</source>
        <translation>Vokabular: {name}</translation>
    </message>
    <message>
        <source>{photos} with this keyword accepted; choosing it also shows the photos of its narrower terms</source>
        <translation>{photos} mit diesem Schlagwort angenommen; gewählt zeigt es auch die Fotos seiner engeren Begriffe</translation>
    </message>
    <message>
        <source>{photos} with a keyword of it accepted</source>
        <translation>{photos} mit einem seiner Schlagwörter angenommen</translation>
    </message>
    <message>
        <source>{name}, {photos}</source>
        <translation>{name}, {photos}</translation>
    </message>
    <message>
        <source>Free keywords</source>
        <translation>Freie Schlagwörter</translation>
    </message>
    <message>
        <source>From files</source>
        <translation>Aus Dateien</translation>
    </message>
</context>
<context>
    <name>KindSwitch</name>
    <message>
        <source>Description</source>
        <translation>Beschreibung</translation>
    </message>
    <message>
        <source>Alt text</source>
        <translation>Alternativtext</translation>
    </message>
    <message>
        <source>Extended description</source>
        <translation>Erweiterte Beschreibung</translation>
    </message>
    <message>
        <source>Review Description</source>
        <translation>Beschreibung prüfen</translation>
    </message>
    <message>
        <source>Review Alt Text</source>
        <translation>Alternativtext prüfen</translation>
    </message>
    <message>
        <source>Review Extended Description</source>
        <translation>Erweiterte Beschreibung prüfen</translation>
    </message>
    <message>
        <source>Review the photo&apos;s description: the caption that search, exports and the grid show (Ctrl+1)</source>
        <translation>Die Beschreibung des Fotos prüfen: die Bildunterschrift, die Suche, Exporte und das Raster zeigen (Strg+1)</translation>
    </message>
    <message>
        <source>Review the photo&apos;s alt text, read by screen readers in its place: at most 250 characters (Ctrl+2)</source>
        <translation>Den Alternativtext des Fotos prüfen, den Bildschirmleser an seiner Stelle vorlesen: höchstens 250 Zeichen (Strg+2)</translation>
    </message>
    <message>
        <source>Review the photo&apos;s extended description: the longer text for those who cannot see it, when alt text is not enough (Ctrl+3)</source>
        <translation>Die erweiterte Beschreibung des Fotos prüfen: der längere Text für alle, die es nicht sehen können, wenn der Alternativtext nicht genügt (Strg+3)</translation>
    </message>
    <message>
        <source>Caption kind</source>
        <translation>Art des Textes</translation>
    </message>
</context>
<context>
    <name>LibraryList</name>
    <message>
        <source>Library</source>
        <translation>Bibliothek</translation>
    </message>
    <message>
        <source>Photos</source>
        <translation>Fotos</translation>
    </message>
    <message>
        <source>Libraries and folders</source>
        <translation>Bibliotheken und Ordner</translation>
    </message>
    <message>
        <source>{name} (watched)</source>
        <translation>{name} (überwacht)</translation>
    </message>
    <message>
        <source>{files} that cannot be read</source>
        <translation>{files} nicht lesbar</translation>
    </message>
    <message>
        <source>{count} missing</source>
        <translation>{count} fehlend</translation>
    </message>
    <message>
        <source>Watched: new photos are scanned and queued as they arrive</source>
        <translation>Überwacht: neue Fotos werden eingelesen und eingereiht, sobald sie eintreffen</translation>
    </message>
    <message>
        <source>Last scanned {time}</source>
        <translation>Zuletzt eingelesen {time}</translation>
    </message>
</context>
<context>
    <name>MainAction</name>
    <message>
        <source>Add Folder…</source>
        <translation>Ordner hinzufügen…</translation>
    </message>
    <message>
        <source>Add a folder of photos as a library (Ctrl+O)</source>
        <translation>Einen Ordner mit Fotos als Bibliothek hinzufügen (Strg+O)</translation>
    </message>
    <message>
        <source>Rescan</source>
        <translation>Neu einlesen</translation>
    </message>
    <message>
        <source>Look for new, changed and deleted files in this library (F5)</source>
        <translation>In dieser Bibliothek nach neuen, geänderten und gelöschten Dateien suchen (F5)</translation>
    </message>
    <message>
        <source>Remove Library…</source>
        <translation>Bibliothek entfernen…</translation>
    </message>
    <message>
        <source>Forget this library and its captions; no file is touched</source>
        <translation>Diese Bibliothek und ihre Bildunterschriften vergessen; keine Datei wird angetastet</translation>
    </message>
    <message>
        <source>Watch This Folder…</source>
        <translation>Diesen Ordner überwachen…</translation>
    </message>
    <message>
        <source>Scan and caption photos as they arrive in this library&apos;s folder</source>
        <translation>Fotos einlesen und beschriften, sobald sie im Ordner dieser Bibliothek eintreffen</translation>
    </message>
    <message>
        <source>Stop Watching</source>
        <translation>Überwachung beenden</translation>
    </message>
    <message>
        <source>No longer scan this library&apos;s new photos as they arrive</source>
        <translation>Neue Fotos dieser Bibliothek nicht mehr beim Eintreffen einlesen</translation>
    </message>
    <message>
        <source>Search Captions</source>
        <translation>Bildunterschriften durchsuchen</translation>
    </message>
    <message>
        <source>Caption…</source>
        <translation>Beschriften…</translation>
    </message>
    <message>
        <source>Caption the selected photos, or a whole folder, with an AI model (Ctrl+Shift+C)</source>
        <translation>Die ausgewählten Fotos oder einen ganzen Ordner mit einem KI-Modell beschriften (Strg+Umschalt+C)</translation>
    </message>
    <message>
        <source>Fine-tune a Captioner…</source>
        <translation>Beschriftungsmodul nachtrainieren…</translation>
    </message>
    <message>
        <source>Teach a captioner your collection&apos;s words from the approved captions (runs as a job)</source>
        <translation>Einem Beschriftungsmodul anhand der freigegebenen Bildunterschriften den Wortschatz Ihrer Sammlung beibringen (läuft als Auftrag)</translation>
    </message>
    <message>
        <source>Suggest Keywords…</source>
        <translation>Schlagwörter vorschlagen…</translation>
    </message>
    <message>
        <source>Suggest keywords from your vocabularies for the selected photos, or a whole folder, with a tagger (runs as a job)</source>
        <translation>Schlagwörter aus Ihren Vokabularen für die ausgewählten Fotos oder einen ganzen Ordner vorschlagen lassen (läuft als Auftrag)</translation>
    </message>
    <message>
        <source>Unload Models</source>
        <translation>Modelle entladen</translation>
    </message>
    <message>
        <source>Free the memory the captioning models hold (they load again when needed)</source>
        <translation>Den Speicher der Beschriftungsmodelle freigeben (sie werden bei Bedarf neu geladen)</translation>
    </message>
    <message>
        <source>Prepare Search by Meaning</source>
        <translation>Suche nach Bedeutung vorbereiten</translation>
    </message>
    <message>
        <source>Embed every caption not embedded yet, so that searches by meaning find it (captions edited later are embedded as you search)</source>
        <translation>Jede noch nicht eingebettete Bildunterschrift einbetten, damit die Suche nach Bedeutung sie findet (später bearbeitete werden beim Suchen eingebettet)</translation>
    </message>
    <message>
        <source>Write Captions to Files…</source>
        <translation>Bildunterschriften in Dateien schreiben…</translation>
    </message>
    <message>
        <source>Write approved captions into the photos&apos; metadata (XMP, IPTC, EXIF) or XMP sidecars, for digiKam, Lightroom and others</source>
        <translation>Freigegebene Bildunterschriften in die Metadaten der Fotos (XMP, IPTC, EXIF) oder in XMP-Begleitdateien schreiben, für digiKam, Lightroom und andere</translation>
    </message>
    <message>
        <source>Export Captions…</source>
        <translation>Bildunterschriften exportieren…</translation>
    </message>
    <message>
        <source>Export captions as CSV, JSON Lines, COCO or a Hugging Face dataset</source>
        <translation>Bildunterschriften als CSV, JSON Lines, COCO oder Hugging-Face-Datensatz exportieren</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Einstellungen…</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>Larger Thumbnails</source>
        <translation>Größere Vorschaubilder</translation>
    </message>
    <message>
        <source>Show larger thumbnails (Ctrl+Plus, or Ctrl+wheel over the grid)</source>
        <translation>Größere Vorschaubilder anzeigen (Strg+Plus oder Strg+Mausrad über dem Raster)</translation>
    </message>
    <message>
        <source>Smaller Thumbnails</source>
        <translation>Kleinere Vorschaubilder</translation>
    </message>
    <message>
        <source>Show smaller thumbnails (Ctrl+Minus, or Ctrl+wheel over the grid)</source>
        <translation>Kleinere Vorschaubilder anzeigen (Strg+Minus oder Strg+Mausrad über dem Raster)</translation>
    </message>
    <message>
        <source>Default Thumbnail Size</source>
        <translation>Standardgröße der Vorschaubilder</translation>
    </message>
    <message>
        <source>Full-Window Preview</source>
        <translation>Fenstergroße Vorschau</translation>
    </message>
    <message>
        <source>Show the current photo filling the window (F11, or Space in the grid); arrow keys go through the photos, Esc returns to the grid</source>
        <translation>Das aktuelle Foto fensterfüllend anzeigen (F11 oder Leertaste im Raster); die Pfeiltasten blättern durch die Fotos, Esc kehrt zum Raster zurück</translation>
    </message>
    <message>
        <source>Quality over Time…</source>
        <translation>Qualität im Zeitverlauf…</translation>
    </message>
    <message>
        <source>Whether the AI drafts are getting better: per captioner, model version and week, the drafts approved unchanged, edited and rejected, the words changed, review time and flags</source>
        <translation>Ob die KI-Entwürfe besser werden: je Captioner, Modellversion und Woche die unverändert freigegebenen, bearbeiteten und abgelehnten Entwürfe, die geänderten Wörter, Prüfzeit und Hinweise</translation>
    </message>
    <message>
        <source>Paste Image</source>
        <translation>Bild einfügen</translation>
    </message>
    <message>
        <source>Save the image on the clipboard into the library shown, or import the web addresses or photo files copied (Ctrl+V)</source>
        <translation>Das Bild aus der Zwischenablage in der angezeigten Bibliothek speichern oder die kopierten Webadressen oder Fotodateien importieren (Strg+V)</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Unexpected error: {error} (the details are in the log; the app goes on)</source>
        <translation>Unerwarteter Fehler: {error} (die Einzelheiten stehen im Protokoll; die Anwendung läuft weiter)</translation>
    </message>
    <message>
        <source>LIBRARIES</source>
        <translation>BIBLIOTHEKEN</translation>
    </message>
    <message>
        <source>KEYWORDS</source>
        <translation>SCHLAGWÖRTER</translation>
    </message>
    <message>
        <source>Captioning jobs</source>
        <translation>Beschriftungsaufträge</translation>
    </message>
    <message>
        <source>Captioning Jobs</source>
        <translation>Beschriftungsaufträge</translation>
    </message>
    <message>
        <source>Show the captioning jobs: progress, pause, cancel, failures (Ctrl+J)</source>
        <translation>Die Beschriftungsaufträge anzeigen: Fortschritt, Anhalten, Abbrechen, Fehlschläge (Strg+J)</translation>
    </message>
    <message>
        <source>Main toolbar</source>
        <translation>Hauptwerkzeugleiste</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Datei</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;Bearbeiten</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;Ansicht</translation>
    </message>
    <message>
        <source>&amp;Review</source>
        <translation>&amp;Prüfen</translation>
    </message>
    <message>
        <source>&amp;Captioning</source>
        <translation>Be&amp;schriftung</translation>
    </message>
    <message>
        <source>Recovered unsaved caption edits of {photos}; see their history</source>
        <translation>Nicht gespeicherte Bearbeitungen der Bildunterschriften bei {photos} wiederhergestellt; siehe deren Verlauf</translation>
    </message>
    <message>
        <source>Opening the catalogue…</source>
        <translation>Katalog wird geöffnet…</translation>
    </message>
    <message>
        <source>Catalogue: {path}</source>
        <translation>Katalog: {path}</translation>
    </message>
    <message>
        <source>This catalogue is read-only for the database role {role}: photos, captions and keywords can be browsed, searched and exported, not changed.</source>
        <translation>Dieser Katalog ist für die Datenbankrolle {role} schreibgeschützt: Fotos, Bildunterschriften und Schlagwörter lassen sich durchsehen, durchsuchen und exportieren, aber nicht ändern.</translation>
    </message>
</context>
<context>
    <name>MessageBar</name>
    <message>
        <source>Dismiss</source>
        <translation>Schließen</translation>
    </message>
</context>
<context>
    <name>MetadataForm</name>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>Cannot be read</source>
        <translation>Nicht lesbar</translation>
    </message>
    <message>
        <source>Missing</source>
        <translation>Fehlt</translation>
    </message>
    <message>
        <source>{size} bytes</source>
        <translation>{size} Byte</translation>
    </message>
    <message>
        <source>{degrees}° N</source>
        <translation>{degrees}° N</translation>
    </message>
    <message>
        <source>{degrees}° S</source>
        <translation>{degrees}° S</translation>
    </message>
    <message>
        <source>{degrees}° E</source>
        <translation>{degrees}° O</translation>
    </message>
    <message>
        <source>{degrees}° W</source>
        <translation>{degrees}° W</translation>
    </message>
    <message>
        <source>Creator</source>
        <translation>Urheber</translation>
    </message>
    <message>
        <source>Rights</source>
        <translation>Rechte</translation>
    </message>
    <message>
        <source>Persons shown</source>
        <translation>Abgebildete Personen</translation>
    </message>
    <message>
        <source>Place</source>
        <translation>Ort</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Grund</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>the file is no longer at this path</source>
        <translation>die Datei liegt nicht mehr unter diesem Pfad</translation>
    </message>
    <message>
        <source>Format</source>
        <translation>Format</translation>
    </message>
    <message>
        <source>Dimensions</source>
        <translation>Abmessungen</translation>
    </message>
    <message>
        <source>File size</source>
        <translation>Dateigröße</translation>
    </message>
    <message>
        <source>Date taken</source>
        <translation>Aufnahmedatum</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>Kamera</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Aufnahmeort</translation>
    </message>
</context>
<context>
    <name>NewModelDialog</name>
    <message>
        <source>Fine-tuned model ready</source>
        <translation>Feinabgestimmtes Modell bereit</translation>
    </message>
    <message>
        <source>The fine-tuned {captioner} model was evaluated on {pairs} approved captions it was not trained on, beside the model it started from. Higher is better, but for the loss. Use the new model for {captioner} from now on?</source>
        <translation>Das feinabgestimmte Modell von {captioner} wurde an {pairs} freigegebenen Bildunterschriften bewertet, mit denen es nicht trainiert wurde, neben dem Modell, von dem es ausging. Höher ist besser, außer beim Verlust. Das neue Modell ab jetzt für {captioner} verwenden?</translation>
    </message>
    <message>
        <source>Scores of the models before and after fine-tuning</source>
        <translation>Bewertungen der Modelle vor und nach dem Feintuning</translation>
    </message>
    <message>
        <source>Before: {model}</source>
        <translation>Vorher: {model}</translation>
    </message>
    <message>
        <source>After: {model}</source>
        <translation>Nachher: {model}</translation>
    </message>
    <message>
        <source>Use the new model</source>
        <translation>Neues Modell verwenden</translation>
    </message>
    <message>
        <source>Keep the current model</source>
        <translation>Bisheriges Modell behalten</translation>
    </message>
    <message>
        <source>Captions scored</source>
        <translation>Bewertete Bildunterschriften</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Verlust</translation>
    </message>
    <message>
        <source>Validation loss</source>
        <translation>Validierungsverlust</translation>
    </message>
</context>
<context>
    <name>PathRow</name>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
</context>
<context>
    <name>PhotoGrid</name>
    <message>
        <source>Draft caption: {caption}</source>
        <translation>Entwurf der Bildunterschrift: {caption}</translation>
    </message>
    <message>
        <source>Approved caption: {caption}</source>
        <translation>Freigegebene Bildunterschrift: {caption}</translation>
    </message>
    <message>
        <source>Rejected caption: {caption}</source>
        <translation>Abgelehnte Bildunterschrift: {caption}</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Freigegeben</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Edited</source>
        <translation>Bearbeitet</translation>
    </message>
    <message>
        <source>Imported</source>
        <translation>Importiert</translation>
    </message>
    <message>
        <source>AI draft</source>
        <translation>KI-Entwurf</translation>
    </message>
    <message>
        <source>⚑ Flagged</source>
        <translation>⚑ Markiert</translation>
    </message>
    <message>
        <source>cannot be read</source>
        <translation>nicht lesbar</translation>
    </message>
    <message>
        <source>flagged for a second look</source>
        <translation>zur Prüfung markiert</translation>
    </message>
    <message>
        <source>Error: {reason}</source>
        <translation>Fehler: {reason}</translation>
    </message>
    <message>
        <source>unknown error</source>
        <translation>unbekannter Fehler</translation>
    </message>
    <message>
        <source>Missing: the file is no longer at this path</source>
        <translation>Fehlt: Die Datei liegt nicht mehr unter diesem Pfad</translation>
    </message>
    <message>
        <source>Caption: {caption}</source>
        <translation>Bildunterschrift: {caption}</translation>
    </message>
    <message>
        <source>Written or edited by a person</source>
        <translation>Von einer Person geschrieben oder bearbeitet</translation>
    </message>
    <message>
        <source>Imported from the file&apos;s metadata</source>
        <translation>Aus den Metadaten der Datei importiert</translation>
    </message>
    <message>
        <source>By the {captioner} captioner, confidence {percent}</source>
        <translation>Vom Beschriftungsmodul {captioner}, Konfidenz {percent}</translation>
    </message>
    <message>
        <source>By the {captioner} captioner</source>
        <translation>Vom Beschriftungsmodul {captioner}</translation>
    </message>
    <message>
        <source>Flagged: words to check before approving (see the caption)</source>
        <translation>Markiert: Wörter vor dem Freigeben prüfen (siehe Bildbeschreibung)</translation>
    </message>
    <message>
        <source>Cannot read
this file</source>
        <translation>Datei nicht
lesbar</translation>
    </message>
    <message>
        <source>cannot read this file</source>
        <translation>Datei nicht lesbar</translation>
    </message>
    <message>
        <source>file missing</source>
        <translation>Datei fehlt</translation>
    </message>
    <message>
        <source>No caption</source>
        <translation>Keine Bildunterschrift</translation>
    </message>
    <message>
        <source>Photos</source>
        <translation>Fotos</translation>
    </message>
</context>
<context>
    <name>PhotoScopeBox</name>
    <message>
        <source>Photos</source>
        <translation>Fotos</translation>
    </message>
    <message numerus="yes">
        <source>The %Ln selected photo(s)</source>
        <translation>
            <numerusform>Das ausgewählte Foto</numerusform>
            <numerusform>Die %Ln ausgewählten Fotos</numerusform>
        </translation>
    </message>
    <message>
        <source>All readable photos in {place}</source>
        <translation>Alle lesbaren Fotos in {place}</translation>
    </message>
    <message>
        <source>All readable photos in a folder (none shown)</source>
        <translation>Alle lesbaren Fotos eines Ordners (keiner angezeigt)</translation>
    </message>
    <message>
        <source>Queue job</source>
        <translation>Auftrag einreihen</translation>
    </message>
</context>
<context>
    <name>PreviewLoader</name>
    <message>
        <source>cannot decode image: {reason}</source>
        <translation>Bild kann nicht dekodiert werden: {reason}</translation>
    </message>
</context>
<context>
    <name>PreviewView</name>
    <message>
        <source>Fit</source>
        <translation>Einpassen</translation>
    </message>
    <message>
        <source>Zoom out (Ctrl+wheel)</source>
        <translation>Verkleinern (Strg+Mausrad)</translation>
    </message>
    <message>
        <source>Zoom in (Ctrl+wheel)</source>
        <translation>Vergrößern (Strg+Mausrad)</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>Verkleinern</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>Vergrößern</translation>
    </message>
    <message>
        <source>Fit to the pane, or show at 100 % (double-click the photo)</source>
        <translation>In den Bereich einpassen oder in 100 % anzeigen (Doppelklick auf das Foto)</translation>
    </message>
</context>
<context>
    <name>QualityCharts</name>
    <message>
        <source>Approved unchanged</source>
        <translation>Unverändert freigegeben</translation>
    </message>
    <message>
        <source>Edited</source>
        <translation>Bearbeitet</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Mean edit distance (words)</source>
        <translation>Mittlere Editierdistanz (Wörter)</translation>
    </message>
    <message>
        <source>Share of drafts decided (%)</source>
        <translation>Anteil der entschiedenen Entwürfe (%)</translation>
    </message>
    <message>
        <source>Words changed</source>
        <translation>Geänderte Wörter</translation>
    </message>
    <message>
        <source>Drafts decided</source>
        <translation>Entschiedene Entwürfe</translation>
    </message>
    <message>
        <source>Flags per 100 captions</source>
        <translation>Hinweise je 100 Bildtexte</translation>
    </message>
    <message>
        <source>new: {model}</source>
        <translation>neu: {model}</translation>
    </message>
</context>
<context>
    <name>QualityDialog</name>
    <message>
        <source>Last 12 weeks</source>
        <translation>Letzte 12 Wochen</translation>
    </message>
    <message>
        <source>Last 26 weeks</source>
        <translation>Letzte 26 Wochen</translation>
    </message>
    <message>
        <source>Last 52 weeks</source>
        <translation>Letzte 52 Wochen</translation>
    </message>
    <message>
        <source>All time</source>
        <translation>Gesamter Zeitraum</translation>
    </message>
    <message>
        <source>Week</source>
        <translation>Woche</translation>
    </message>
    <message>
        <source>Model version</source>
        <translation>Modellversion</translation>
    </message>
    <message>
        <source>Decided</source>
        <translation>Entschieden</translation>
    </message>
    <message>
        <source>Approved unchanged</source>
        <translation>Unverändert freigegeben</translation>
    </message>
    <message>
        <source>Edited</source>
        <translation>Bearbeitet</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Mean edit distance (words)</source>
        <translation>Mittlere Editierdistanz (Wörter)</translation>
    </message>
    <message>
        <source>New model version</source>
        <translation>Neue Modellversion</translation>
    </message>
    <message>
        <source>Drafts decided</source>
        <translation>Entschiedene Entwürfe</translation>
    </message>
    <message>
        <source>Flags per 100 captions</source>
        <translation>Hinweise je 100 Bildtexte</translation>
    </message>
    <message>
        <source>Mean review time (s)</source>
        <translation>Mittlere Prüfzeit (s)</translation>
    </message>
    <message>
        <source>Median review time (s)</source>
        <translation>Median der Prüfzeit (s)</translation>
    </message>
    <message>
        <source>Review times measured</source>
        <translation>Gemessene Prüfzeiten</translation>
    </message>
    <message>
        <source>Quality over Time</source>
        <translation>Qualität im Zeitverlauf</translation>
    </message>
    <message>
        <source>Chart: shares approved unchanged, edited and rejected, and mean edit distance, per week</source>
        <translation>Diagramm: Anteile unverändert freigegeben, bearbeitet und abgelehnt sowie mittlere Editierdistanz, je Woche</translation>
    </message>
    <message>
        <source>Review outcomes per week</source>
        <translation>Prüfergebnisse je Woche</translation>
    </message>
    <message>
        <source>Chart: drafts decided and flags per 100 captions, per week</source>
        <translation>Diagramm: entschiedene Entwürfe und Hinweise je 100 Bildtexte, je Woche</translation>
    </message>
    <message>
        <source>Drafts, flags and review time per week</source>
        <translation>Entwürfe, Hinweise und Prüfzeit je Woche</translation>
    </message>
    <message>
        <source>Only AI drafts an editor approved or rejected count, in the ISO week (UTC) of the last decision. Edit distance: words inserted, deleted or replaced, over the approved drafts. Review time: from the photo shown to the decision, measured in the app only. Flags per 100 captions: the flags the decided drafts carried, per 100 of them. A dashed line marks a new model version&apos;s first week.</source>
        <translation>Es zählen nur KI-Entwürfe, die jemand freigegeben oder abgelehnt hat, in der ISO-Woche (UTC) der letzten Entscheidung. Editierdistanz: eingefügte, gelöschte oder ersetzte Wörter, über die freigegebenen Entwürfe. Prüfzeit: vom Anzeigen des Fotos bis zur Entscheidung, nur in der App gemessen. Hinweise je 100 Bildtexte: die Hinweise der entschiedenen Entwürfe, je 100 von ihnen. Eine gestrichelte Linie markiert die erste Woche einer neuen Modellversion.</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <source>No AI drafts were approved or rejected in this period.</source>
        <translation>In diesem Zeitraum wurden keine KI-Entwürfe freigegeben oder abgelehnt.</translation>
    </message>
    <message>
        <source>unknown captioner</source>
        <translation>unbekannter Captioner</translation>
    </message>
    <message>
        <source>{captioner}: every model version</source>
        <translation>{captioner}: alle Modellversionen</translation>
    </message>
    <message>
        <source>new</source>
        <translation>neu</translation>
    </message>
    <message>
        <source>Captioner or model version</source>
        <translation>Captioner oder Modellversion</translation>
    </message>
    <message>
        <source>&amp;Show:</source>
        <translation>&amp;Anzeigen:</translation>
    </message>
    <message>
        <source>Period</source>
        <translation>Zeitraum</translation>
    </message>
    <message>
        <source>&amp;Period:</source>
        <translation>&amp;Zeitraum:</translation>
    </message>
</context>
<context>
    <name>ReportDialog</name>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>ReviewActions</name>
    <message>
        <source>Approve and Next</source>
        <translation>Freigeben und weiter</translation>
    </message>
    <message>
        <source>Approve the caption as it reads and go to the next photo needing review</source>
        <translation>Die Bildunterschrift so freigeben, wie sie lautet, und zum nächsten zu prüfenden Foto gehen</translation>
    </message>
    <message>
        <source>Reject and Next</source>
        <translation>Ablehnen und weiter</translation>
    </message>
    <message>
        <source>Reject the caption and go to the next photo needing review</source>
        <translation>Die Bildunterschrift ablehnen und zum nächsten zu prüfenden Foto gehen</translation>
    </message>
    <message>
        <source>Edit Caption</source>
        <translation>Bildunterschrift bearbeiten</translation>
    </message>
    <message>
        <source>Put the cursor in the caption</source>
        <translation>Den Cursor in die Bildunterschrift setzen</translation>
    </message>
    <message>
        <source>Previous Photo</source>
        <translation>Vorheriges Foto</translation>
    </message>
    <message>
        <source>Show the previous photo</source>
        <translation>Das vorherige Foto anzeigen</translation>
    </message>
    <message>
        <source>Next Photo</source>
        <translation>Nächstes Foto</translation>
    </message>
    <message>
        <source>Show the next photo</source>
        <translation>Das nächste Foto anzeigen</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <source>Undo the last caption change (a new revision)</source>
        <translation>Die letzte Änderung der Bildunterschrift rückgängig machen (als neue Version)</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <source>Redo the caption change undone last</source>
        <translation>Die zuletzt rückgängig gemachte Änderung der Bildunterschrift wiederholen</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>Neu erzeugen</translation>
    </message>
    <message>
        <source>Drop Edit</source>
        <translation>Bearbeitung verwerfen</translation>
    </message>
    <message>
        <source>Forget the text typed since the caption was last saved</source>
        <translation>Den seit dem letzten Speichern der Bildunterschrift getippten Text verwerfen</translation>
    </message>
</context>
<context>
    <name>ReviewBox</name>
    <message>
        <source>Review</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <source>Undone: {change}</source>
        <translation>Rückgängig gemacht: {change}</translation>
    </message>
    <message>
        <source>Redone: {change}</source>
        <translation>Wiederholt: {change}</translation>
    </message>
    <message>
        <source>Write a caption first: there is nothing to review.</source>
        <translation>Schreiben Sie zuerst eine Bildunterschrift: Es gibt nichts zu prüfen.</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Freigegeben</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Not applied: {reason}. Your text is kept as caption {caption} under Captions: Use This Caption makes it current.</source>
        <translation>Nicht übernommen: {reason}. Ihr Text bleibt als Bildunterschrift {caption} unter „Bildunterschriften“ erhalten: „Diese Bildunterschrift verwenden“ macht sie zur aktuellen.</translation>
    </message>
    <message>
        <source>Not applied: {reason}. Review the caption as it now reads.</source>
        <translation>Nicht übernommen: {reason}. Prüfen Sie die Bildunterschrift so, wie sie jetzt lautet.</translation>
    </message>
    <message>
        <source>This caption is {length} characters; the most a caption can hold is {limit}. Shorten it to save it (your text stays here).</source>
        <translation>Diese Bildunterschrift hat {length} Zeichen; eine Bildunterschrift darf höchstens {limit} haben. Kürzen Sie sie, um sie zu speichern (Ihr Text bleibt hier stehen).</translation>
    </message>
    <message>
        <source>No caption yet: write one, or caption it with a model.</source>
        <translation>Noch keine Bildunterschrift: Schreiben Sie eine oder lassen Sie das Foto von einem Modell beschriften.</translation>
    </message>
    <message>
        <source>No caption.</source>
        <translation>Keine Bildunterschrift.</translation>
    </message>
    <message>
        <source>no text yet</source>
        <translation>noch kein Text</translation>
    </message>
    <message>
        <source>{kind}: {state}</source>
        <translation>{kind}: {state}</translation>
    </message>
    <message>
        <source>revision {revision}</source>
        <translation>Version {revision}</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>Neu erzeugen</translation>
    </message>
    <message>
        <source>Caption with a model</source>
        <translation>Per KI beschriften</translation>
    </message>
    <message>
        <source>Caption this photo again with its model; a person&apos;s text is kept</source>
        <translation>Dieses Foto erneut mit seinem Modell beschriften; der Text einer Person bleibt erhalten</translation>
    </message>
    <message>
        <source>Choose a captioning model and caption this photo</source>
        <translation>Ein Beschriftungsmodell wählen und dieses Foto beschriften</translation>
    </message>
    <message>
        <source>No alt text yet: write it (what the photo shows, the subject first), or draft it with the alt-text captioner.</source>
        <translation>Noch kein Alternativtext: schreiben Sie ihn (was das Foto zeigt, das Motiv zuerst) oder lassen Sie den Alternativtext-Beschrifter einen Entwurf machen.</translation>
    </message>
    <message>
        <source>No extended description yet: write one where alt text cannot say enough.</source>
        <translation>Noch keine erweiterte Beschreibung: schreiben Sie eine, wo der Alternativtext nicht genug sagen kann.</translation>
    </message>
    <message>
        <source>⚠ {length} characters: alt text should be at most {limit}. Shorten it if you can (it can still be approved).</source>
        <translation>⚠ {length} Zeichen: Alternativtext sollte höchstens {limit} haben. Kürzen Sie ihn, wenn möglich (freigeben lässt er sich trotzdem).</translation>
    </message>
    <message>
        <source>{length} of {limit} characters</source>
        <translation>{length} von {limit} Zeichen</translation>
    </message>
    <message>
        <source>Alt text within {limit} characters again</source>
        <translation>Alternativtext wieder innerhalb von {limit} Zeichen</translation>
    </message>
    <message>
        <source>{problem}. Its captions are shown read-only; rescan (F5) once the file is back or fixed.</source>
        <translation>{problem}. Seine Bildunterschriften werden schreibgeschützt angezeigt; lesen Sie neu ein (F5), sobald die Datei wieder da oder repariert ist.</translation>
    </message>
    <message>
        <source>Edited · saved as you type, committed when you move on · Esc drops it</source>
        <translation>Bearbeitet · wird beim Tippen gespeichert und beim Weitergehen übernommen · Esc verwirft es</translation>
    </message>
    <message>
        <source>Underlined: words the model was unsure of: {words}</source>
        <translation>Unterstrichen: Wörter, bei denen das Modell unsicher war: {words}</translation>
    </message>
    <message>
        <source>Approved.</source>
        <translation>Freigegeben.</translation>
    </message>
    <message>
        <source>Undo {change}</source>
        <translation>Rückgängig: {change}</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Rückgängig</translation>
    </message>
    <message>
        <source>Redo {change}</source>
        <translation>Wiederholen: {change}</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>Wiederholen</translation>
    </message>
    <message>
        <source>Ctrl+Enter approve and next · Ctrl+Shift+Backspace reject and next · F2 edit · Esc drop edit · Alt+↑/↓ previous/next · Ctrl+1/2/3 description, alt text, extended description</source>
        <translation>Strg+Eingabe freigeben und weiter · Strg+Umschalt+Rücktaste ablehnen und weiter · F2 bearbeiten · Esc Bearbeitung verwerfen · Alt+↑/↓ vorheriges/nächstes · Strg+1/2/3 Beschreibung, Alternativtext, erweiterte Beschreibung</translation>
    </message>
    <message>
        <source>Approve</source>
        <translation>Freigeben</translation>
    </message>
    <message>
        <source>Approve the caption as it reads (Ctrl+Enter also moves to the next photo)</source>
        <translation>Die Bildunterschrift so freigeben, wie sie lautet (Strg+Eingabe geht außerdem zum nächsten Foto)</translation>
    </message>
    <message>
        <source>Reject</source>
        <translation>Ablehnen</translation>
    </message>
    <message>
        <source>Reject the caption (Ctrl+Shift+Backspace also moves to the next photo)</source>
        <translation>Die Bildunterschrift ablehnen (Strg+Umschalt+Rücktaste geht außerdem zum nächsten Foto)</translation>
    </message>
    <message>
        <source>Undo the last caption change (Ctrl+Z)</source>
        <translation>Die letzte Änderung der Bildunterschrift rückgängig machen (Strg+Z)</translation>
    </message>
    <message>
        <source>Redo (Ctrl+Shift+Z)</source>
        <translation>Wiederholen (Strg+Umschalt+Z)</translation>
    </message>
</context>
<context>
    <name>ReviewQueueController</name>
    <message>
        <source>Every photo needing review in this view was shown once; Ctrl+Enter starts again with the most useful</source>
        <translation>Jedes zu prüfende Foto dieser Ansicht wurde einmal gezeigt; Strg+Eingabe beginnt wieder mit dem nützlichsten</translation>
    </message>
    <message>
        <source>No other photo needs review in this view</source>
        <translation>Kein anderes Foto dieser Ansicht muss geprüft werden</translation>
    </message>
    <message>
        <source>{editor} is reviewing this photo</source>
        <translation>{editor} prüft dieses Foto</translation>
    </message>
</context>
<context>
    <name>ReviewService</name>
    <message>
        <source>{change}: {kind}</source>
        <translation>{change}: {kind}</translation>
    </message>
    <message>
        <source>Edit caption</source>
        <translation>Bildunterschrift bearbeiten</translation>
    </message>
    <message>
        <source>Approve caption</source>
        <translation>Bildunterschrift freigeben</translation>
    </message>
    <message>
        <source>Reject caption</source>
        <translation>Bildunterschrift ablehnen</translation>
    </message>
    <message>
        <source>Revert to revision {revision}</source>
        <translation>Auf Version {revision} zurücksetzen</translation>
    </message>
    <message>
        <source>Use another caption</source>
        <translation>Andere Bildunterschrift verwenden</translation>
    </message>
    <message>
        <source>alt text</source>
        <translation>Alternativtext</translation>
    </message>
    <message>
        <source>extended description</source>
        <translation>erweiterte Beschreibung</translation>
    </message>
</context>
<context>
    <name>ReviewSettingsPage</name>
    <message>
        <source>The grid&apos;s order (the next photo after this one)</source>
        <translation>Reihenfolge des Rasters (das Foto nach diesem)</translation>
    </message>
    <message>
        <source>Most useful first (least confident, unlike anything approved)</source>
        <translation>Nützlichste zuerst (am wenigsten sicher, unähnlich allem Freigegebenen)</translation>
    </message>
    <message>
        <source>Also flag text that means what a rule describes</source>
        <translation>Auch Text markieren, der bedeutet, was eine Regel beschreibt</translation>
    </message>
    <message>
        <source>Next photo needing review:</source>
        <translation>Nächstes zu prüfendes Foto:</translation>
    </message>
    <message>
        <source>Most useful first: the least confident captions first (in steps of 0.05), and among those the photos whose captions are least like any approved caption, once captions are embedded (Captioning &gt; Embed Captions). Photos another editor is reviewing are skipped.</source>
        <translation>Nützlichste zuerst: die unsichersten Bildunterschriften zuerst (in Stufen von 0,05), und unter diesen die Fotos, deren Bildunterschriften am wenigsten einer freigegebenen ähneln, sobald Bildunterschriften eingebettet sind (Beschriften &gt; Bildunterschriften einbetten). Fotos, die jemand anderes gerade prüft, werden übersprungen.</translation>
    </message>
    <message>
        <source>Suggest fine-tuning after:</source>
        <translation>Feintuning vorschlagen nach:</translation>
    </message>
    <message>
        <source>New approved captions of a captioner since its last fine-tune.</source>
        <translation>Neu freigegebene Bildunterschriften eines Beschrifters seit seinem letzten Feintuning.</translation>
    </message>
    <message>
        <source>Flag rules for:</source>
        <translation>Markierungsregeln für:</translation>
    </message>
    <message>
        <source>Meaning-based flags use the text embedder: slower, and they find wordings the lists do not have.</source>
        <translation>Bedeutungsbasierte Markierungen nutzen den Text-Embedder: langsamer, und sie finden Formulierungen, die nicht in den Listen stehen.</translation>
    </message>
</context>
<context>
    <name>ReviewWorker</name>
    <message>
        <source>cannot undo “{change}”</source>
        <translation>„{change}“ kann nicht rückgängig gemacht werden</translation>
    </message>
    <message>
        <source>cannot redo “{change}”</source>
        <translation>„{change}“ kann nicht wiederholt werden</translation>
    </message>
    <message>
        <source>cannot read the photo</source>
        <translation>Foto kann nicht gelesen werden</translation>
    </message>
    <message>
        <source>cannot edit the caption</source>
        <translation>Bildunterschrift kann nicht bearbeitet werden</translation>
    </message>
    <message>
        <source>cannot approve the caption</source>
        <translation>Bildunterschrift kann nicht freigegeben werden</translation>
    </message>
    <message>
        <source>cannot reject the caption</source>
        <translation>Bildunterschrift kann nicht abgelehnt werden</translation>
    </message>
    <message>
        <source>cannot revert the caption</source>
        <translation>Bildunterschrift kann nicht zurückgesetzt werden</translation>
    </message>
    <message>
        <source>cannot choose the caption</source>
        <translation>Bildunterschrift kann nicht gewählt werden</translation>
    </message>
</context>
<context>
    <name>RevisionHistory</name>
    <message>
        <source>Created</source>
        <translation>Erstellt</translation>
    </message>
    <message>
        <source>Edited</source>
        <translation>Bearbeitet</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Freigegeben</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>Abgelehnt</translation>
    </message>
    <message>
        <source>Reverted</source>
        <translation>Zurückgesetzt</translation>
    </message>
    <message>
        <source>Regenerated</source>
        <translation>Neu erzeugt</translation>
    </message>
    <message>
        <source>Caption history</source>
        <translation>Verlauf der Bildunterschrift</translation>
    </message>
    <message>
        <source>Revert to This</source>
        <translation>Auf diese zurücksetzen</translation>
    </message>
    <message>
        <source>Bring this revision&apos;s text back as a new draft revision</source>
        <translation>Den Text dieser Version als neuen Entwurf zurückholen</translation>
    </message>
    <message>
        <source>unknown</source>
        <translation>unbekannt</translation>
    </message>
    <message>
        <source>Select a revision to compare it with the current text.</source>
        <translation>Wählen Sie eine Version aus, um sie mit dem aktuellen Text zu vergleichen.</translation>
    </message>
    <message>
        <source>Revision {revision} reads as the current text:</source>
        <translation>Version {revision} lautet wie der aktuelle Text:</translation>
    </message>
    <message>
        <source>Reverting to revision {revision} would change the text so:</source>
        <translation>Das Zurücksetzen auf Version {revision} würde den Text so ändern:</translation>
    </message>
</context>
<context>
    <name>ScanController</name>
    <message>
        <source>{count} new</source>
        <translation>{count} neu</translation>
    </message>
    <message>
        <source>{count} updated</source>
        <translation>{count} aktualisiert</translation>
    </message>
    <message>
        <source>{count} moved</source>
        <translation>{count} verschoben</translation>
    </message>
    <message>
        <source>{count} missing</source>
        <translation>{count} fehlend</translation>
    </message>
    <message>
        <source>{count} cannot be read</source>
        <translation>{count} nicht lesbar</translation>
    </message>
    <message>
        <source>{captions} imported from the files</source>
        <translation>{captions} aus den Dateien importiert</translation>
    </message>
    <message>
        <source>{folders} skipped</source>
        <translation>{folders} übersprungen</translation>
    </message>
    <message>
        <source>Scan of {folder} stopped: {summary} ({seconds} s)</source>
        <translation>Einlesen von {folder} abgebrochen: {summary} ({seconds} s)</translation>
    </message>
    <message>
        <source>Scanned {folder}: {summary} ({seconds} s)</source>
        <translation>{folder} eingelesen: {summary} ({seconds} s)</translation>
    </message>
    <message>
        <source>Adding the sample library…</source>
        <translation>Die Beispielbibliothek wird hinzugefügt…</translation>
    </message>
    <message>
        <source>Add a folder of photos</source>
        <translation>Einen Ordner mit Fotos hinzufügen</translation>
    </message>
    <message>
        <source>Scanning {folder}…</source>
        <translation>{folder} wird eingelesen…</translation>
    </message>
    <message>
        <source>Scanning {folder}… {done}/{total}</source>
        <translation>{folder} wird eingelesen… {done}/{total}</translation>
    </message>
    <message>
        <source>Scanning {folder}… no new or changed files</source>
        <translation>{folder} wird eingelesen… keine neuen oder geänderten Dateien</translation>
    </message>
    <message>
        <source>Remove library</source>
        <translation>Bibliothek entfernen</translation>
    </message>
    <message>
        <source>Remove “{name}” from the catalogue?

Its {photos} and all their captions and caption history leave the catalogue, including captions people wrote or approved that were not written into the files. The photo files themselves are not touched; adding the folder again scans them anew.</source>
        <translation>„{name}“ aus dem Katalog entfernen?

Die Bibliothek mit {photos} und allen Bildunterschriften samt Verlauf wird aus dem Katalog entfernt, auch Bildunterschriften, die Personen geschrieben oder freigegeben haben und die nicht in die Dateien geschrieben wurden. Die Fotodateien selbst bleiben unangetastet; wenn Sie den Ordner erneut hinzufügen, werden sie neu eingelesen.</translation>
    </message>
    <message>
        <source>Removed {name} from the catalogue ({photos} and {captions} by people)</source>
        <translation>{name} aus dem Katalog entfernt ({photos} und {captions} von Personen)</translation>
    </message>
    <message>
        <source>Removed {name} from the catalogue ({photos})</source>
        <translation>{name} aus dem Katalog entfernt ({photos})</translation>
    </message>
</context>
<context>
    <name>ScanWorker</name>
    <message>
        <source>scanning {folder} failed: {reason}</source>
        <translation>Einlesen von {folder} fehlgeschlagen: {reason}</translation>
    </message>
</context>
<context>
    <name>SearchController</name>
    <message>
        <source>Words and meaning</source>
        <translation>Wörter und Bedeutung</translation>
    </message>
    <message>
        <source>Exact words</source>
        <translation>Genaue Wörter</translation>
    </message>
    <message>
        <source>Meaning</source>
        <translation>Bedeutung</translation>
    </message>
    <message>
        <source>Search captions</source>
        <translation>Bildunterschriften durchsuchen</translation>
    </message>
    <message>
        <source>Photos whose captions hold all these words (Ctrl+F)</source>
        <translation>Fotos, deren Bildunterschriften alle diese Wörter enthalten (Strg+F)</translation>
    </message>
    <message>
        <source>Search mode</source>
        <translation>Suchmodus</translation>
    </message>
    <message>
        <source>Exact words: the words themselves (&quot;phrases&quot;, prefix*, OR, -word). Meaning: captions that say the same in other words. Both: fused.</source>
        <translation>Genaue Wörter: die Wörter selbst (&quot;Phrasen&quot;, Präfix*, OR, -Wort). Bedeutung: Bildunterschriften, die dasselbe mit anderen Worten sagen. Beides: kombiniert.</translation>
    </message>
    <message>
        <source>Searching…</source>
        <translation>Suche läuft…</translation>
    </message>
    <message>
        <source>{photos} found</source>
        <translation>{photos} gefunden</translation>
    </message>
    <message>
        <source>Preparing search by meaning…</source>
        <translation>Suche nach Bedeutung wird vorbereitet…</translation>
    </message>
    <message>
        <source>Preparing search by meaning… {done}/{total} captions</source>
        <translation>Suche nach Bedeutung wird vorbereitet… {done}/{total} Bildunterschriften</translation>
    </message>
</context>
<context>
    <name>SearchWorker</name>
    <message>
        <source>search failed: {reason}</source>
        <translation>Suche fehlgeschlagen: {reason}</translation>
    </message>
    <message>
        <source>cannot prepare search by meaning: {reason}</source>
        <translation>Suche nach Bedeutung kann nicht vorbereitet werden: {reason}</translation>
    </message>
    <message>
        <source>Search by meaning is ready: {embedded} embedded, {current} already were ({seconds} s)</source>
        <translation>Suche nach Bedeutung ist bereit: {embedded} eingebettet, {current} waren es bereits ({seconds} s)</translation>
    </message>
</context>
<context>
    <name>SettingsController</name>
    <message>
        <source>Settings saved</source>
        <translation>Einstellungen gespeichert</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Automatic (bfloat16 where the hardware computes it natively, else float32)</source>
        <translation>Automatisch (bfloat16, wo die Hardware es nativ berechnet, sonst float32)</translation>
    </message>
    <message>
        <source>float32: full precision</source>
        <translation>float32: volle Genauigkeit</translation>
    </message>
    <message>
        <source>bfloat16: half the memory, nearly the same captions</source>
        <translation>bfloat16: halber Speicher, nahezu dieselben Bildunterschriften</translation>
    </message>
    <message>
        <source>float16: half the memory; some models lose quality</source>
        <translation>float16: halber Speicher; manche Modelle verlieren an Qualität</translation>
    </message>
    <message>
        <source>New prompt</source>
        <translation>Neuer Prompt</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <source>Settings sections</source>
        <translation>Bereiche der Einstellungen</translation>
    </message>
    <message>
        <source>Captioning</source>
        <translation>Beschriftung</translation>
    </message>
    <message>
        <source>Models</source>
        <translation>Modelle</translation>
    </message>
    <message>
        <source>Prompts</source>
        <translation>Prompts</translation>
    </message>
    <message>
        <source>Cluster</source>
        <translation>Cluster</translation>
    </message>
    <message>
        <source>Catalogue</source>
        <translation>Katalog</translation>
    </message>
    <message>
        <source>Library</source>
        <translation>Bibliothek</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Sprache</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>Erscheinungsbild</translation>
    </message>
    <message>
        <source>Reviewing</source>
        <translation>Prüfen</translation>
    </message>
    <message>
        <source>How the next photo to review is chosen, and what the app suggests and flags.</source>
        <translation>Wie das nächste zu prüfende Foto gewählt wird und was die App vorschlägt und markiert.</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Prüfung</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Import</translation>
    </message>
    <message>
        <source>Photos from the web, dropped on a library or pasted.</source>
        <translation>Fotos aus dem Web, auf eine Bibliothek gezogen oder eingefügt.</translation>
    </message>
    <message>
        <source> photos</source>
        <translation> Fotos</translation>
    </message>
    <message>
        <source>Device:</source>
        <translation>Gerät:</translation>
    </message>
    <message>
        <source>Automatic uses a CUDA GPU, then Apple MPS, then the CPU. Type cuda:1 for the second GPU.</source>
        <translation>Automatisch verwendet eine CUDA-GPU, dann Apple MPS, dann die CPU. Geben Sie cuda:1 für die zweite GPU ein.</translation>
    </message>
    <message>
        <source>Number format:</source>
        <translation>Zahlenformat:</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>Stapelgröße:</translation>
    </message>
    <message>
        <source>Larger batches are faster on a GPU and use more of its memory; when memory runs out the batch is halved by itself.</source>
        <translation>Größere Stapel sind auf einer GPU schneller und brauchen mehr von ihrem Speicher; reicht der Speicher nicht, wird der Stapel von selbst halbiert.</translation>
    </message>
    <message>
        <source>Decoding threads:</source>
        <translation>Threads zum Dekodieren:</translation>
    </message>
    <message>
        <source>Batches decoded ahead:</source>
        <translation>Im Voraus dekodierte Stapel:</translation>
    </message>
    <message>
        <source>Threads read, decode and prepare photos while the model works on the batch before them.</source>
        <translation>Threads lesen, dekodieren und bereiten Fotos vor, während das Modell am Stapel davor arbeitet.</translation>
    </message>
    <message>
        <source>How captioning runs</source>
        <translation>Wie die Beschriftung läuft</translation>
    </message>
    <message>
        <source>Applies to the next job. On the command line, --device, --dtype, --batch-size, --decode-workers and --prefetch override these.</source>
        <translation>Gilt ab dem nächsten Auftrag. Auf der Befehlszeile haben --device, --dtype, --batch-size, --decode-workers und --prefetch Vorrang.</translation>
    </message>
    <message>
        <source>Where caption jobs run</source>
        <translation>Wo Beschriftungsaufträge laufen</translation>
    </message>
    <message>
        <source>Through Ray, one job captions on every GPU of this machine or of a cluster; applies to the next job. On the command line, --cluster and --actors.</source>
        <translation>Über Ray beschriftet ein Auftrag auf jeder GPU dieses Rechners oder eines Clusters; gilt ab dem nächsten Auftrag. Auf der Befehlszeile: --cluster und --actors.</translation>
    </message>
    <message>
        <source>Default: {model}</source>
        <translation>Standard: {model}</translation>
    </message>
    <message>
        <source>Choose a local model folder for {captioner}</source>
        <translation>Einen lokalen Modellordner für {captioner} wählen</translation>
    </message>
    <message>
        <source>No captioners are installed.</source>
        <translation>Es sind keine Beschriftungsmodule installiert.</translation>
    </message>
    <message>
        <source>A model id on the Hugging Face hub (organisation/name), or a local model folder for computers without internet access. Empty: the captioner&apos;s default model. --model on the command line overrides these.</source>
        <translation>Eine Modell-ID auf dem Hugging Face Hub (Organisation/Name) oder ein lokaler Modellordner für Computer ohne Internetzugang. Leer: das Standardmodell des Beschriftungsmoduls. --model auf der Befehlszeile hat Vorrang.</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Hinzufügen</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <source>Name shown in the prompt menu</source>
        <translation>Im Prompt-Menü angezeigter Name</translation>
    </message>
    <message>
        <source>What to ask the model for; the photo comes with it.</source>
        <translation>Worum das Modell gebeten wird; das Foto wird mitgegeben.</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>Prompt:</source>
        <translation>Prompt:</translation>
    </message>
    <message>
        <source>Captioner:</source>
        <translation>Beschriftungsmodul:</translation>
    </message>
    <message>
        <source>No installed captioner takes a prompt.</source>
        <translation>Kein installiertes Beschriftungsmodul nimmt einen Prompt an.</translation>
    </message>
    <message>
        <source>Prompt presets</source>
        <translation>Prompt-Vorlagen</translation>
    </message>
    <message>
        <source>Named prompts for captioners that take one, to pick from when captioning.</source>
        <translation>Benannte Prompts für Beschriftungsmodule, die einen annehmen, zur Auswahl beim Beschriften.</translation>
    </message>
    <message>
        <source>Default: {path}</source>
        <translation>Standard: {path}</translation>
    </message>
    <message>
        <source>Location:</source>
        <translation>Speicherort:</translation>
    </message>
    <message>
        <source>In use now:</source>
        <translation>Derzeit verwendet:</translation>
    </message>
    <message>
        <source>A new location applies the next time Photo Annotator starts. The catalogue is not moved: a new, empty one is made there unless that file is already a catalogue.</source>
        <translation>Ein neuer Speicherort gilt ab dem nächsten Start von Photo Annotator. Der Katalog wird nicht verschoben: Dort wird ein neuer, leerer angelegt, sofern die Datei nicht schon ein Katalog ist.</translation>
    </message>
    <message>
        <source>${variable} is set; it takes precedence over this setting.</source>
        <translation>${variable} ist gesetzt; es hat Vorrang vor dieser Einstellung.</translation>
    </message>
    <message>
        <source>The file that holds your libraries, captions and their history, and the job queue. --db on the command line overrides it.</source>
        <translation>Die Datei, die Ihre Bibliotheken, Bildunterschriften samt Verlauf und die Auftragswarteschlange enthält. --db auf der Befehlszeile hat Vorrang.</translation>
    </message>
    <message>
        <source> px</source>
        <translation> px</translation>
    </message>
    <message>
        <source>One per CPU core</source>
        <translation>Einer pro CPU-Kern</translation>
    </message>
    <message>
        <source>Thumbnail size:</source>
        <translation>Größe der Vorschaubilder:</translation>
    </message>
    <message>
        <source>The longer side of thumbnails made from now on; existing ones are kept.</source>
        <translation>Die längere Seite der ab jetzt erstellten Vorschaubilder; vorhandene bleiben erhalten.</translation>
    </message>
    <message>
        <source>Scanning threads:</source>
        <translation>Threads zum Einlesen:</translation>
    </message>
    <message>
        <source>How folders are scanned into the catalogue.</source>
        <translation>Wie Ordner in den Katalog eingelesen werden.</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>Systemsprache</translation>
    </message>
    <message>
        <source>Language:</source>
        <translation>Sprache:</translation>
    </message>
    <message>
        <source>Applies the next time Photo Annotator starts. The system language is used when Photo Annotator has a translation for it, else English. The command line is always in English.</source>
        <translation>Gilt ab dem nächsten Start von Photo Annotator. Die Systemsprache wird verwendet, wenn es für sie eine Übersetzung gibt, sonst Englisch. Die Befehlszeile ist immer Englisch.</translation>
    </message>
    <message>
        <source>The language of the window, and how it writes numbers and dates.</source>
        <translation>Die Sprache des Fensters und wie es Zahlen und Datumsangaben schreibt.</translation>
    </message>
    <message>
        <source>System (light or dark, as the system is)</source>
        <translation>System (hell oder dunkel, wie das System)</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <source>High contrast</source>
        <translation>Hoher Kontrast</translation>
    </message>
    <message>
        <source>Appearance:</source>
        <translation>Erscheinungsbild:</translation>
    </message>
    <message>
        <source>The window&apos;s colours. High contrast: white and yellow on black, with a thick frame around the keyboard focus. Applies at once.</source>
        <translation>Die Farben des Fensters. Hoher Kontrast: Weiß und Gelb auf Schwarz, mit einem dicken Rahmen um den Tastaturfokus. Gilt sofort.</translation>
    </message>
    <message>
        <source>&apos;{device}&apos; is not a device: use auto, cpu, cuda, cuda:N or mps</source>
        <translation>„{device}“ ist kein Gerät: Verwenden Sie auto, cpu, cuda, cuda:N oder mps</translation>
    </message>
    <message>
        <source>{path} is a folder; add a file name such as {example}</source>
        <translation>{path} ist ein Ordner; ergänzen Sie einen Dateinamen wie {example}</translation>
    </message>
    <message>
        <source>Model folder for {captioner}</source>
        <translation>Modellordner für {captioner}</translation>
    </message>
    <message>
        <source>Catalogue location</source>
        <translation>Speicherort des Katalogs</translation>
    </message>
    <message>
        <source>Catalogue (*.db);;All files (*)</source>
        <translation>Katalog (*.db);;Alle Dateien (*)</translation>
    </message>
    <message>
        <source>a prompt preset of {captioner} has no name</source>
        <translation>eine Prompt-Vorlage von {captioner} hat keinen Namen</translation>
    </message>
    <message>
        <source>two prompt presets of {captioner} are named &apos;{name}&apos;</source>
        <translation>zwei Prompt-Vorlagen von {captioner} heißen „{name}“</translation>
    </message>
    <message>
        <source>Settings not saved: {reason}</source>
        <translation>Einstellungen nicht gespeichert: {reason}</translation>
    </message>
</context>
<context>
    <name>StatusMessage</name>
    <message>
        <source>Details…</source>
        <translation>Details…</translation>
    </message>
    <message>
        <source>Show the whole message</source>
        <translation>Die ganze Meldung anzeigen</translation>
    </message>
    <message>
        <source>Show the whole status message</source>
        <translation>Die ganze Statusmeldung anzeigen</translation>
    </message>
    <message>
        <source>The whole status message</source>
        <translation>Die ganze Statusmeldung</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>Meldung</translation>
    </message>
</context>
<context>
    <name>SuggestKeywordsDialog</name>
    <message>
        <source>Suggest keywords</source>
        <translation>Schlagwörter vorschlagen</translation>
    </message>
    <message>
        <source>Tagger</source>
        <translation>Verschlagworter</translation>
    </message>
    <message>
        <source>Tagger:</source>
        <translation>Verschlagworter:</translation>
    </message>
    <message>
        <source>A model on the Hugging Face hub (org/name) or a local model folder; empty: the tagger&apos;s own</source>
        <translation>Ein Modell im Hugging Face Hub (org/name) oder ein lokaler Modellordner; leer: das eigene des Verschlagworters</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>Modell:</translation>
    </message>
    <message>
        <source>At most this many suggestions per photo</source>
        <translation>Höchstens so viele Vorschläge je Foto</translation>
    </message>
    <message>
        <source>Suggestions per photo:</source>
        <translation>Vorschläge je Foto:</translation>
    </message>
    <message>
        <source>The score a suggestion needs, from 0 to 1 (the tagger&apos;s calibrated value by default)</source>
        <translation>Die Bewertung, die ein Vorschlag mindestens braucht, von 0 bis 1 (vorgegeben: der kalibrierte Wert des Verschlagworters)</translation>
    </message>
    <message>
        <source>Minimum score:</source>
        <translation>Mindestbewertung:</translation>
    </message>
    <message>
        <source>Vocabularies</source>
        <translation>Vokabulare</translation>
    </message>
    <message>
        <source>Vocabularies to suggest from</source>
        <translation>Vokabulare, aus denen vorgeschlagen wird</translation>
    </message>
    <message>
        <source>{name} ({terms} terms)</source>
        <translation>{name} ({terms} Begriffe)</translation>
    </message>
    <message>
        <source>No tagger is installed.</source>
        <translation>Kein Verschlagworter ist installiert.</translation>
    </message>
    <message>
        <source>Choose a vocabulary to suggest from (import one with photo-annotator vocab import).</source>
        <translation>Wählen Sie ein Vokabular, aus dem vorgeschlagen wird (importieren Sie eines mit photo-annotator vocab import).</translation>
    </message>
    <message>
        <source>Choose the photos.</source>
        <translation>Wählen Sie die Fotos.</translation>
    </message>
</context>
<context>
    <name>TagController</name>
    <message>
        <source>No tagger is installed: see photo-annotator plugins</source>
        <translation>Kein Verschlagworter ist installiert: siehe photo-annotator plugins</translation>
    </message>
</context>
<context>
    <name>ThumbnailSizeSlider</name>
    <message>
        <source>Thumbnail size</source>
        <translation>Größe der Vorschaubilder</translation>
    </message>
    <message>
        <source>Size of the thumbnails in the grid, in pixels. Also Ctrl+wheel over the grid, Ctrl+Plus and Ctrl+Minus.</source>
        <translation>Größe der Vorschaubilder im Raster, in Pixeln. Auch mit Strg+Mausrad über dem Raster, Strg+Plus und Strg+Minus.</translation>
    </message>
    <message>
        <source>Thumbnail size: {side} px (Ctrl+wheel over the grid, Ctrl+Plus, Ctrl+Minus)</source>
        <translation>Größe der Vorschaubilder: {side} px (Strg+Mausrad über dem Raster, Strg+Plus, Strg+Minus)</translation>
    </message>
    <message>
        <source>Thumbnails are made at {made} px: on this screen they are shown at most {sharp} px wide, never enlarged into a blur</source>
        <translation>Vorschaubilder werden mit {made} px erstellt: Auf diesem Bildschirm werden sie höchstens {sharp} px breit angezeigt und nie unscharf vergrößert</translation>
    </message>
</context>
<context>
    <name>TrainDialog</name>
    <message>
        <source>Fine-tune a captioner</source>
        <translation>Beschriftungsmodul nachtrainieren</translation>
    </message>
    <message>
        <source>Teach a captioner your collection&apos;s words from the captions editors approved. A tenth of them is kept aside to measure progress; training stops early when it no longer improves. The new model is saved in a folder you can then choose in Settings &gt; Models, or evaluate with `photo-annotator evaluate`.</source>
        <translation>Bringen Sie einem Beschriftungsmodul anhand der von der Redaktion freigegebenen Bildunterschriften den Wortschatz Ihrer Sammlung bei. Ein Zehntel davon wird zurückgehalten, um den Fortschritt zu messen; das Training endet vorzeitig, wenn es sich nicht mehr verbessert. Das neue Modell wird in einem Ordner gespeichert, den Sie dann unter Einstellungen &gt; Modelle wählen oder mit `photo-annotator evaluate` bewerten können.</translation>
    </message>
    <message>
        <source>Captioner:</source>
        <translation>Beschriftungsmodul:</translation>
    </message>
    <message>
        <source>Start from model:</source>
        <translation>Ausgangsmodell:</translation>
    </message>
    <message>
        <source>Save in:</source>
        <translation>Speichern in:</translation>
    </message>
    <message>
        <source>Epochs:</source>
        <translation>Epochen:</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>Lernrate:</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>Stapelgröße:</translation>
    </message>
    <message>
        <source>Gradient checkpointing (less GPU memory, slower)</source>
        <translation>Gradient Checkpointing (weniger GPU-Speicher, langsamer)</translation>
    </message>
    <message>
        <source>Only the approved captions of {library}</source>
        <translation>Nur die freigegebenen Bildunterschriften von {library}</translation>
    </message>
    <message>
        <source>Queue training</source>
        <translation>Training einreihen</translation>
    </message>
    <message>
        <source>No installed captioner can be fine-tuned.</source>
        <translation>Kein installiertes Beschriftungsmodul kann nachtrainiert werden.</translation>
    </message>
    <message>
        <source>Runs on the device in Settings, as a job in the Captioning jobs panel (pause, cancel, resume from its checkpoint). Medical drafts stay drafts: a fine-tuned model&apos;s reports carry the same notice.</source>
        <translation>Läuft auf dem Gerät aus den Einstellungen, als Auftrag im Bereich Beschriftungsaufträge (anhalten, abbrechen, ab dem Zwischenstand fortsetzen). Medizinische Entwürfe bleiben Entwürfe: Die Befunde eines nachtrainierten Modells tragen denselben Hinweis.</translation>
    </message>
    <message>
        <source>Runs on the device in Settings, as a job in the Captioning jobs panel (pause, cancel, resume from its checkpoint).</source>
        <translation>Läuft auf dem Gerät aus den Einstellungen, als Auftrag im Bereich Beschriftungsaufträge (anhalten, abbrechen, ab dem Zwischenstand fortsetzen).</translation>
    </message>
    <message>
        <source>Save the fine-tuned model in</source>
        <translation>Nachtrainiertes Modell speichern in</translation>
    </message>
</context>
<context>
    <name>ViewController</name>
    <message>
        <source>No photo to preview: choose one in the grid first</source>
        <translation>Kein Foto für die Vorschau: Wählen Sie zuerst eines im Raster aus</translation>
    </message>
</context>
<context>
    <name>WatchController</name>
    <message>
        <source>Watching {name}: new photos are queued as they arrive</source>
        <translation>{name} wird überwacht: neue Fotos werden beim Eintreffen eingereiht</translation>
    </message>
    <message>
        <source>Stopped watching {name}</source>
        <translation>Überwachung von {name} beendet</translation>
    </message>
    <message>
        <source>{count} new</source>
        <translation>{count} neu</translation>
    </message>
    <message>
        <source>{count} changed</source>
        <translation>{count} geändert</translation>
    </message>
    <message>
        <source>{count} moved</source>
        <translation>{count} verschoben</translation>
    </message>
    <message>
        <source>{count} missing</source>
        <translation>{count} fehlend</translation>
    </message>
    <message>
        <source>{folder}: {changes}</source>
        <translation>{folder}: {changes}</translation>
    </message>
    <message>
        <source>files that cannot be read</source>
        <translation>Dateien, die nicht gelesen werden können</translation>
    </message>
</context>
<context>
    <name>WatchDialog</name>
    <message>
        <source>Watch {name}</source>
        <translation>{name} überwachen</translation>
    </message>
    <message>
        <source>Photos copied into this library&apos;s folder are scanned once they are whole, and queued as they arrive; moved and renamed photos keep their captions. The app watches while it is open; `photo-annotator watch` watches without it.</source>
        <translation>Fotos, die in den Ordner dieser Bibliothek kopiert werden, werden eingelesen, sobald sie vollständig sind, und beim Eintreffen eingereiht; verschobene und umbenannte Fotos behalten ihre Beschriftungen. Die App überwacht, solange sie geöffnet ist; `photo-annotator watch` überwacht ohne sie.</translation>
    </message>
    <message>
        <source>Caption new photos</source>
        <translation>Neue Fotos beschriften</translation>
    </message>
    <message>
        <source>Captioner:</source>
        <translation>Beschriftungsmodul:</translation>
    </message>
    <message>
        <source>the settings&apos; model</source>
        <translation>das Modell der Einstellungen</translation>
    </message>
    <message>
        <source>A model on the Hugging Face hub (org/name) or a local model folder; empty: the one the settings choose</source>
        <translation>Ein Modell auf dem Hugging Face Hub (org/name) oder ein lokaler Modellordner; leer: das in den Einstellungen gewählte</translation>
    </message>
    <message>
        <source>Model:</source>
        <translation>Modell:</translation>
    </message>
    <message>
        <source>Suggest keywords for new photos</source>
        <translation>Schlagwörter für neue Fotos vorschlagen</translation>
    </message>
    <message>
        <source>Tagger:</source>
        <translation>Verschlagworter:</translation>
    </message>
    <message>
        <source>Look for changes at intervals (network shares)</source>
        <translation>In Abständen nach Änderungen suchen (Netzwerkfreigaben)</translation>
    </message>
    <message>
        <source>File-system events do not arrive from most network shares: look for new files every few seconds instead</source>
        <translation>Von den meisten Netzwerkfreigaben kommen keine Dateisystem-Ereignisse: stattdessen alle paar Sekunden nach neuen Dateien suchen</translation>
    </message>
    <message>
        <source> s</source>
        <translation> s</translation>
    </message>
    <message>
        <source>Every:</source>
        <translation>Alle:</translation>
    </message>
    <message>
        <source>Watch</source>
        <translation>Überwachen</translation>
    </message>
    <message>
        <source>No captioner is installed.</source>
        <translation>Kein Beschriftungsmodul installiert.</translation>
    </message>
    <message>
        <source>No tagger is installed.</source>
        <translation>Kein Verschlagworter ist installiert.</translation>
    </message>
    <message>
        <source>Choose what to do with new photos.</source>
        <translation>Wählen Sie, was mit neuen Fotos geschehen soll.</translation>
    </message>
</context>
<context>
    <name>WordHeatmap</name>
    <message>
        <source>Show where the model looked</source>
        <translation>Zeigen, wohin das Modell geschaut hat</translation>
    </message>
    <message>
        <source>Show where the model looked on the photo when it wrote the word at the text cursor ({shortcut})</source>
        <translation>Zeigen, wohin das Modell auf dem Foto geschaut hat, als es das Wort an der Schreibmarke schrieb ({shortcut})</translation>
    </message>
    <message>
        <source>Where the model looked</source>
        <translation>Wohin das Modell sah</translation>
    </message>
    <message>
        <source>A heatmap over the photo of the regions the model attended to when it wrote the word at the caption&apos;s text cursor: click a word, or move to it with the arrow keys</source>
        <translation>Eine Heatmap über dem Foto mit den Bereichen, auf die das Modell achtete, als es das Wort an der Schreibmarke der Bildunterschrift schrieb: Klicken Sie auf ein Wort oder gehen Sie mit den Pfeiltasten dorthin</translation>
    </message>
    <message>
        <source>Click a word of the caption, or move to it with the arrow keys, to see where the model looked.</source>
        <translation>Klicken Sie auf ein Wort der Bildunterschrift oder gehen Sie mit den Pfeiltasten dorthin, um zu sehen, wohin das Modell geschaut hat.</translation>
    </message>
    <message>
        <source>Finding where the model looked for “{word}”…</source>
        <translation>Wird ermittelt, wohin das Modell für „{word}“ geschaut hat…</translation>
    </message>
    <message>
        <source>No heatmap for “{word}”: {reason}</source>
        <translation>Keine Heatmap für „{word}“: {reason}</translation>
    </message>
    <message>
        <source>cross-attention</source>
        <translation>Cross-Attention</translation>
    </message>
    <message>
        <source>gradient</source>
        <translation>Gradient</translation>
    </message>
    <message>
        <source>Where the model looked for “{word}” ({method})</source>
        <translation>Wohin das Modell für „{word}“ geschaut hat ({method})</translation>
    </message>
</context>
<context>
    <name>Wording</name>
    <message>
        <source>{number}%</source>
        <translation>{number} %</translation>
    </message>
</context>
<context>
    <name>Worker</name>
    <message>
        <source>cannot open the catalogue</source>
        <translation>Katalog kann nicht geöffnet werden</translation>
    </message>
    <message>
        <source>cannot list the libraries</source>
        <translation>Bibliotheken können nicht aufgelistet werden</translation>
    </message>
    <message>
        <source>cannot list the photos</source>
        <translation>Fotos können nicht aufgelistet werden</translation>
    </message>
    <message>
        <source>cannot list the folders</source>
        <translation>Ordner können nicht aufgelistet werden</translation>
    </message>
    <message>
        <source>cannot list the captioners</source>
        <translation>Beschriftungsmodule können nicht aufgelistet werden</translation>
    </message>
    <message>
        <source>cannot remove the library</source>
        <translation>Bibliothek kann nicht entfernt werden</translation>
    </message>
    <message>
        <source>cannot read photo {1}</source>
        <translation>Foto {1} kann nicht gelesen werden</translation>
    </message>
    <message>
        <source>cannot scan {0}</source>
        <translation>{0} kann nicht eingelesen werden</translation>
    </message>
    <message>
        <source>cannot run {0}</source>
        <translation>{0} kann nicht ausgeführt werden</translation>
    </message>
    <message>
        <source>cannot read the job queue</source>
        <translation>Auftragswarteschlange kann nicht gelesen werden</translation>
    </message>
    <message>
        <source>cannot queue the job</source>
        <translation>Auftrag kann nicht eingereiht werden</translation>
    </message>
    <message>
        <source>cannot queue the training job</source>
        <translation>Trainingsauftrag kann nicht eingereiht werden</translation>
    </message>
    <message>
        <source>cannot queue the keyword suggestions</source>
        <translation>die Schlagwortvorschläge können nicht eingereiht werden</translation>
    </message>
    <message>
        <source>cannot read the vocabularies</source>
        <translation>die Vokabulare können nicht gelesen werden</translation>
    </message>
    <message>
        <source>cannot read the failures of job {0}</source>
        <translation>Fehlschläge von Auftrag {0} können nicht gelesen werden</translation>
    </message>
    <message>
        <source>cannot resume job {0}</source>
        <translation>Auftrag {0} kann nicht fortgesetzt werden</translation>
    </message>
    <message>
        <source>cannot resume</source>
        <translation>Fortsetzen nicht möglich</translation>
    </message>
    <message>
        <source>cannot cancel job {0}</source>
        <translation>Auftrag {0} kann nicht abgebrochen werden</translation>
    </message>
    <message>
        <source>cannot show where the model looked</source>
        <translation>kann nicht zeigen, wohin das Modell geschaut hat</translation>
    </message>
    <message>
        <source>cannot unload the models</source>
        <translation>Modelle können nicht entladen werden</translation>
    </message>
    <message>
        <source>cannot apply the new settings</source>
        <translation>die neuen Einstellungen können nicht übernommen werden</translation>
    </message>
    <message>
        <source>cannot recover unsaved caption edits</source>
        <translation>Nicht gespeicherte Bearbeitungen können nicht wiederhergestellt werden</translation>
    </message>
    <message>
        <source>cannot change the caption</source>
        <translation>Bildunterschrift kann nicht geändert werden</translation>
    </message>
    <message>
        <source>cannot read the photo&apos;s keywords</source>
        <translation>die Schlagwörter des Fotos können nicht gelesen werden</translation>
    </message>
    <message>
        <source>cannot find the keyword {1}</source>
        <translation>das Schlagwort {1} kann nicht gefunden werden</translation>
    </message>
    <message>
        <source>cannot complete the keyword</source>
        <translation>das Schlagwort kann nicht ergänzt werden</translation>
    </message>
    <message>
        <source>cannot list the keywords</source>
        <translation>die Schlagwörter können nicht aufgelistet werden</translation>
    </message>
    <message>
        <source>cannot find keywords</source>
        <translation>Schlagwörter können nicht gesucht werden</translation>
    </message>
    <message>
        <source>cannot count the keywords&apos; photos</source>
        <translation>die Fotos der Schlagwörter können nicht gezählt werden</translation>
    </message>
    <message>
        <source>cannot change the keyword</source>
        <translation>das Schlagwort kann nicht geändert werden</translation>
    </message>
    <message>
        <source>cannot undo {2}</source>
        <translation>{2} kann nicht rückgängig gemacht werden</translation>
    </message>
    <message>
        <source>cannot redo {2}</source>
        <translation>{2} kann nicht wiederholt werden</translation>
    </message>
    <message>
        <source>cannot save the caption being edited</source>
        <translation>Die bearbeitete Bildunterschrift kann nicht gespeichert werden</translation>
    </message>
    <message>
        <source>cannot drop the unsaved edit</source>
        <translation>Die nicht gespeicherte Bearbeitung kann nicht verworfen werden</translation>
    </message>
    <message>
        <source>cannot prepare searching</source>
        <translation>Suche kann nicht vorbereitet werden</translation>
    </message>
    <message>
        <source>search failed</source>
        <translation>Suche fehlgeschlagen</translation>
    </message>
    <message>
        <source>cannot prepare search by meaning</source>
        <translation>Suche nach Bedeutung kann nicht vorbereitet werden</translation>
    </message>
    <message>
        <source>cannot use the catalogue</source>
        <translation>Katalog kann nicht verwendet werden</translation>
    </message>
    <message>
        <source>no catalogue is open</source>
        <translation>kein Katalog geöffnet</translation>
    </message>
    <message>
        <source>the request failed</source>
        <translation>die Anfrage ist fehlgeschlagen</translation>
    </message>
    <message>
        <source>cannot close</source>
        <translation>Schließen nicht möglich</translation>
    </message>
    <message>
        <source>cannot follow other editors&apos; changes</source>
        <translation>Änderungen anderer Bearbeiter können nicht verfolgt werden</translation>
    </message>
    <message>
        <source>cannot read the quality report</source>
        <translation>Der Qualitätsbericht kann nicht gelesen werden</translation>
    </message>
    <message>
        <source>cannot find the next photo to review</source>
        <translation>das nächste zu prüfende Foto kann nicht ermittelt werden</translation>
    </message>
    <message>
        <source>cannot claim photo {0} for review</source>
        <translation>Foto {0} kann nicht zur Prüfung reserviert werden</translation>
    </message>
    <message>
        <source>cannot renew the review claim</source>
        <translation>die Prüfreservierung kann nicht verlängert werden</translation>
    </message>
    <message>
        <source>cannot release the review claim</source>
        <translation>die Prüfreservierung kann nicht freigegeben werden</translation>
    </message>
    <message>
        <source>cannot count the approvals since the last fine-tune</source>
        <translation>die Freigaben seit dem letzten Feintuning können nicht gezählt werden</translation>
    </message>
    <message>
        <source>cannot watch the libraries</source>
        <translation>Bibliotheken können nicht überwacht werden</translation>
    </message>
    <message>
        <source>cannot change how library {0} is watched</source>
        <translation>Überwachung der Bibliothek {0} kann nicht geändert werden</translation>
    </message>
    <message>
        <source>cannot import into {1}</source>
        <translation>Import nach {1} nicht möglich</translation>
    </message>
    <message>
        <source>cannot save the pasted image in {1}</source>
        <translation>das eingefügte Bild kann nicht in {1} gespeichert werden</translation>
    </message>
</context>
<context>
    <name>WriteMetadataDialog</name>
    <message>
        <source>Write captions to files</source>
        <translation>Bildunterschriften in Dateien schreiben</translation>
    </message>
    <message>
        <source>Approved captions are written where digiKam, Lightroom and other tools read them: XMP dc:description, IPTC Caption-Abstract and EXIF ImageDescription, with who approved them and which model wrote them.</source>
        <translation>Freigegebene Bildunterschriften werden dorthin geschrieben, wo digiKam, Lightroom und andere Programme sie lesen: XMP dc:description, IPTC Caption-Abstract und EXIF ImageDescription, samt wer sie freigegeben und welches Modell sie geschrieben hat.</translation>
    </message>
    <message>
        <source>XMP sidecar files beside the photos (photo.jpg.xmp): the photos stay untouched</source>
        <translation>XMP-Begleitdateien neben den Fotos (foto.jpg.xmp): Die Fotos bleiben unangetastet</translation>
    </message>
    <message>
        <source>Inside the photo files (JPEG, TIFF, PNG, WebP): written to a copy, checked, then swapped in</source>
        <translation>In die Fotodateien selbst (JPEG, TIFF, PNG, WebP): in eine Kopie geschrieben, geprüft und dann ausgetauscht</translation>
    </message>
    <message>
        <source>Also replace descriptions another program wrote, and files changed since the last scan</source>
        <translation>Auch Beschreibungen ersetzen, die ein anderes Programm geschrieben hat, und Dateien, die sich seit dem letzten Einlesen geändert haben</translation>
    </message>
    <message>
        <source>Also remove from the files the keywords rejected here (kept in the files otherwise)</source>
        <translation>Hier abgelehnte Schlagwörter auch aus den Dateien entfernen (sonst bleiben sie in den Dateien)</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Vorschau</translation>
    </message>
    <message>
        <source>Write</source>
        <translation>Schreiben</translation>
    </message>
    <message>
        <source>List what would change, writing nothing</source>
        <translation>Auflisten, was sich ändern würde, ohne etwas zu schreiben</translation>
    </message>
</context>
<context>
    <name>_PromptField</name>
    <message>
        <source>Default prompt</source>
        <translation>Standard-Prompt</translation>
    </message>
    <message>
        <source>Prompts saved in the settings for this captioner</source>
        <translation>In den Einstellungen gespeicherte Prompts für dieses Beschriftungsmodul</translation>
    </message>
    <message>
        <source>Saved prompts</source>
        <translation>Gespeicherte Prompts</translation>
    </message>
    <message>
        <source>Prompt</source>
        <translation>Prompt</translation>
    </message>
</context>
<context>
    <name>_Scope</name>
    <message numerus="yes">
        <source>The %Ln selected photo(s)</source>
        <translation>
            <numerusform>Das ausgewählte Foto</numerusform>
            <numerusform>Die %Ln ausgewählten Fotos</numerusform>
        </translation>
    </message>
    <message>
        <source>Every photo in {place}</source>
        <translation>Alle Fotos in {place}</translation>
    </message>
</context>
</TS>
