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
/* harmony import */ var _aws_images_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(5687);
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
            if (state.dryRun) {
                _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`${where}: cleanup-dry-run: ${result.found.length} untagged image(s) would be deleted.`);
                for (const digest of result.found)
                    _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`  ${digest}`);
            }
            else {
                _actions_core__WEBPACK_IMPORTED_MODULE_0__/* .info */ .pq(`${where}: deleted ${result.deleted.length} of ${result.found.length} untagged image(s).`);
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