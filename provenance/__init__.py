"""Provenance of the videos the platform produces, and a public page to check any file's.

Every generated video gets a visible « Généré par IA » mark burnt into its web
rendition and a C2PA manifest (content credentials) signed with the school's
key, in the MP4 and in its poster. Anyone can read the credentials of a file on
« Vérifier une vidéo ». Other apps use :mod:`provenance.api` only; this app
imports nothing from labs or courses (labs calls it, never the reverse).
"""
