export const id = 975;
export const ids = [975];
export const modules = {

/***/ 8975:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   cleanUntagged: () => (/* binding */ cleanUntagged)
/* harmony export */ });
/* harmony import */ var _actions_core__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(9469);
/* harmony import */ var _aws_ecr_client_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8795);
/* harmony import */ var _aws_images_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(258);
/* harmony import */ var _inputs_proxy_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(3553);
/**
 * `cleanup: untagged`, run by the post step: by then the job's pushes (this action's or a later docker push)
 * are done, so the images they left without a tag can go.
 */




async function cleanUntagged(state) {
    const proxy = (0,_inputs_proxy_js__WEBPACK_IMPORTED_MODULE_3__/* .getProxySetting */ .Jd)();
    for (const target of state.targets) {
        const client = (0,_aws_ecr_client_js__WEBPACK_IMPORTED_MODULE_1__/* .ecrClientFor */ .l)(target.region, target.fips, { maxAttempts: state.maxAttempts, ...(proxy ? { proxy } : {}) }, process.env);
        try {
            const result = await (0,_aws_images_js__WEBPACK_IMPORTED_MODULE_2__/* .deleteUntaggedImages */ .rw)(client, {
                name: target.name,
                ...(target.registryId ? { registryId: target.registryId } : {}),
                policyFor: () => state.policy,
                dryRun: state.dryRun,
            });
            const where = `${target.host}/${target.name}`;
            const orphaned = new Set(result.orphanedReferrers);
            if (state.dryRun) {
                _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`${where}: cleanup-dry-run: ${result.found.length} untagged image(s) would be deleted.`);
                for (const digest of result.found) {
                    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`  ${digest}${orphaned.has(digest) ? ' (a referrer of an image that is gone)' : ''}`);
                }
            }
            else {
                _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`${where}: deleted ${result.deleted.length} of ${result.found.length} untagged image(s).`);
            }
            // What stays although untagged, and why: listed in a dry run too.
            const kept = [
                ...result.keptChildren.map((digest) => `  ${digest} (a platform manifest of a kept index)`),
                ...result.keptReferrers.map((digest) => `  ${digest} (a signature, SBOM or attestation of a kept image)`),
            ];
            if (kept.length > 0) {
                _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`${where}: kept ${kept.length} untagged image(s) that kept images need:`);
                for (const line of kept)
                    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(line);
            }
            for (const digest of result.taggedAfterAll) {
                _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(`${where}: kept ${digest}: ECR listed it as untagged, but it has a tag.`);
            }
            for (const failure of result.failures)
                _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .warning */ .$e(`${where}: kept ${failure.digest}: ${failure.reason}`);
        }
        finally {
            client.destroy();
        }
    }
}


/***/ })

};

//# sourceMappingURL=975.index.js.map