<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="en_US">
<context>
    <name>CaptionCards</name>
    <message numerus="yes">
        <source>%Ln revision(s)</source>
        <translation>
            <numerusform>%Ln revision</numerusform>
            <numerusform>%Ln revisions</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Counts</name>
    <message numerus="yes">
        <source>%Ln photo(s)</source>
        <translation>
            <numerusform>%Ln photo</numerusform>
            <numerusform>%Ln photos</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln file(s)</source>
        <translation>
            <numerusform>%Ln file</numerusform>
            <numerusform>%Ln files</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln caption(s)</source>
        <translation>
            <numerusform>%Ln caption</numerusform>
            <numerusform>%Ln captions</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln folder(s)</source>
        <translation>
            <numerusform>%Ln folder</numerusform>
            <numerusform>%Ln folders</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln failure(s)</source>
        <translation>
            <numerusform>%Ln failure</numerusform>
            <numerusform>%Ln failures</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%Ln actor(s)</source>
        <translation>
            <numerusform>%Ln actor</numerusform>
            <numerusform>%Ln actors</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PhotoScopeBox</name>
    <message numerus="yes">
        <source>The %Ln selected photo(s)</source>
        <translation>
            <numerusform>The %Ln selected photo</numerusform>
            <numerusform>The %Ln selected photos</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>_Scope</name>
    <message numerus="yes">
        <source>The %Ln selected photo(s)</source>
        <translation>
            <numerusform>The %Ln selected photo</numerusform>
            <numerusform>The %Ln selected photos</numerusform>
        </translation>
    </message>
</context>
</TS>
